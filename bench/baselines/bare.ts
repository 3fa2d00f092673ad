// Baseline (a): a bare Fastify route answering 200, with the same server-side timing hook.
import Fastify from 'fastify'
import { installServerTiming } from '../../src/http/server-timing.js'

const app = Fastify({ logger: false })
const timing = installServerTiming(app)
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
app.post('/webhooks/whatsapp', async () => ({ ok: true }))
app.get('/api/metrics/http', async () => timing.snapshot())
app.delete('/api/metrics/http', async (_req, reply) => {
  timing.reset()
  return reply.code(204).send()
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.stdout.write(`${JSON.stringify({ msg: 'atende started' })}\n`)
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
