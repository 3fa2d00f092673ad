// Baseline (a): a bare Fastify route answering 200, with the same server-side timing hook.
import Fastify from 'fastify'
import { listenBaseline, prepareBaseline } from './serve.js'

const app = Fastify({ logger: false })
prepareBaseline(app)
app.post('/webhooks/whatsapp', async () => ({ ok: true }))
await listenBaseline(app)
