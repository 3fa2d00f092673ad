// Baseline (b): the naive durable webhook — Fastify + HMAC over the raw body + one INSERT
// per request into the same database, committed before the 200. What group commit must beat.
import { sql } from 'drizzle-orm'
import Fastify from 'fastify'
import { migrate, openDatabase } from '../../src/store/index.js'
import { listenBaseline, prepareBaseline, verifiedBody } from './serve.js'

const secret = process.env.WHATSAPP_APP_SECRET ?? ''
const database = await openDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? 'memory://', statementTimeoutMs: 5_000 })
await migrate(database.db)
await database.db.execute(sql`create table if not exists naive_inbox (id bigserial primary key, body jsonb not null, created_at timestamptz not null default now())`)

const app = Fastify({ logger: false })
prepareBaseline(app)
app.post('/webhooks/whatsapp', async (request, reply) => {
  const raw = verifiedBody(request, secret)
  if (raw === undefined) return reply.code(401).send()
  await database.db.execute(sql`insert into naive_inbox (body) values (${raw.toString('utf8')}::jsonb)`)
  return { ok: true }
})
await listenBaseline(app, () => database.close())
