// Baseline (c): a bare two-stage BullMQ chain doing the same database writes as Atende —
// the webhook stores each message and enqueues it, stage 1 marks it processed and hands it
// on, stage 2 asks the AI, stores the reply and sends it. What a minimal hand-written system
// would do; the end-to-end benchmark measures Atende against it.
import { Queue, Worker, type Job } from 'bullmq'
import { sql } from 'drizzle-orm'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import OpenAI from 'openai'
import { migrate, openDatabase, queryRows } from '../../src/store/index.js'
import { listenBaseline, prepareBaseline, verifiedBody } from './serve.js'

interface WebhookMessage {
  id: string
  from: string
  type: string
  text?: { body?: string }
}
interface WebhookBody {
  entry?: { changes?: { value?: { messages?: WebhookMessage[] } }[] }[]
}
interface JobData {
  id: string
}

const env = process.env
const secret = env.WHATSAPP_APP_SECRET ?? ''
const redisUrl = env.REDIS_URL
if (redisUrl === undefined) throw new Error('REDIS_URL is required')
const sendUrl = `${env.WHATSAPP_API_BASE_URL}/${env.WHATSAPP_PHONE_NUMBER_ID}/messages`
const model = env.OPENAI_MODEL ?? 'gpt-4o-mini'
const ai = new OpenAI({ baseURL: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY ?? 'bench', maxRetries: 0 })

const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR ?? 'memory://', statementTimeoutMs: 5_000 })
await migrate(database.db)
const { db } = database
await db.execute(sql`create table if not exists two_stage_in (id bigserial primary key, wamid text unique not null, from_number text not null, body text not null, processed_at timestamptz, created_at timestamptz not null default now())`)
await db.execute(sql`create table if not exists two_stage_out (id bigserial primary key, in_id bigint not null, to_number text not null, body text not null, wamid text, sent_at timestamptz, created_at timestamptz not null default now())`)

// Workers block on Redis and must wait out outages (BullMQ's requirement); producers share another.
const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null })
const queueConnection = new Redis(redisUrl)
const defaultJobOptions = { attempts: 4, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true }
const inQueue = new Queue<JobData>('two-stage-in', { connection: queueConnection, defaultJobOptions })
const replyQueue = new Queue<JobData>('two-stage-reply', { connection: queueConnection, defaultJobOptions })

const stage1 = new Worker<JobData>('two-stage-in', async (job: Job<JobData>) => {
  const [row] = await queryRows<{ from_number: string; body: string }>(db, sql`update two_stage_in set processed_at = now() where id = ${job.data.id} returning from_number, body`)
  if (row !== undefined) await replyQueue.add('reply', { id: job.data.id })
}, { connection: workerConnection, concurrency: Number(env.QUEUE_MESSAGE_PROCESSING_CONCURRENCY ?? 5) })

const stage2 = new Worker<JobData>('two-stage-reply', async (job: Job<JobData>) => {
  const [inbound] = await queryRows<{ from_number: string; body: string }>(db, sql`select from_number, body from two_stage_in where id = ${job.data.id}`)
  if (inbound === undefined) return
  const completion = await ai.chat.completions.create({
    model,
    messages: [
      { role: 'system', content: 'Você é o atendente de uma empresa brasileira. Responda em português, em poucas frases.' },
      { role: 'user', content: inbound.body },
    ],
  })
  const content = completion.choices[0]?.message.content ?? ''
  const reply = parseReply(content)
  const [out] = await queryRows<{ id: string }>(db, sql`insert into two_stage_out (in_id, to_number, body) values (${job.data.id}, ${inbound.from_number}, ${reply}) returning id`)
  if (out === undefined) throw new Error('insert into two_stage_out returned no row')
  const res = await fetch(sendUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.WHATSAPP_TOKEN ?? ''}` },
    body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to: inbound.from_number, type: 'text', text: { body: reply } }),
  })
  if (!res.ok) throw new Error(`WhatsApp send failed: HTTP ${res.status}`)
  const sent = (await res.json()) as { messages?: { id?: string }[] }
  await db.execute(sql`update two_stage_out set wamid = ${sent.messages?.[0]?.id ?? null}, sent_at = now() where id = ${out.id}`)
}, { connection: workerConnection, concurrency: Number(env.QUEUE_AI_RESPONSE_CONCURRENCY ?? 50) })

/** The fake model answers a JSON object with a `reply` field; anything else is the reply itself. */
function parseReply(content: string): string {
  try {
    const parsed = JSON.parse(content) as { reply?: unknown } | null
    return typeof parsed?.reply === 'string' ? parsed.reply : content
  } catch {
    return content // not JSON: the model answered plain text
  }
}

const app = Fastify({ logger: false })
prepareBaseline(app)
app.post('/webhooks/whatsapp', async (request, reply) => {
  const raw = verifiedBody(request, secret)
  if (raw === undefined) return reply.code(401).send()
  const payload = JSON.parse(raw.toString('utf8')) as WebhookBody
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      for (const m of change.value?.messages ?? []) {
        const body = m.text?.body ?? `[${m.type}]`
        const [row] = await queryRows<{ id: string }>(db, sql`insert into two_stage_in (wamid, from_number, body) values (${m.id}, ${m.from}, ${body}) on conflict (wamid) do nothing returning id`)
        if (row !== undefined) await inQueue.add('in', { id: String(row.id) })
      }
    }
  }
  return { ok: true }
})
await listenBaseline(app, async () => {
  await Promise.all([stage1.close(), stage2.close()])
  await Promise.all([inQueue.close(), replyQueue.close()])
  await Promise.all([workerConnection.quit(), queueConnection.quit()])
  await database.close()
})
