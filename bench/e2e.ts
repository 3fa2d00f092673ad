import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import hdr from 'hdr-histogram-js'
import pg from 'pg'
import { startAtende, startScript, type AtendeProcess } from '../test/helpers/atende-process.js'
import { startRedis, type RedisServer } from '../test/helpers/redis.js'
import type { Runtime } from './ingest.js'
import { generateImageSet } from './images/generate.js'
import { BENCH_ITEMS } from './images.js'
import { createBenchDatabase, type Engine } from './lib/databases.js'
import { benchMedia, benchMediaId, startAiStub, startGraphSink, type BenchFake, type BenchMedia } from './lib/fakes.js'
import { BENCH_APP_SECRET, BENCH_PHONE_NUMBER_ID, imageMessage, signedWebhook, textMessage } from './lib/payloads.js'

export type E2eTarget = 'atende' | 'two-stage'

/**
 * `customers`: a closed loop, that many customers always mid-conversation (saturation).
 * `conversationsPerSecond`: an open loop, new conversations arriving at a fixed rate whatever
 * the service keeps up with (capacity).
 */
export type E2eLoad = { customers: number } | { conversationsPerSecond: number }

export interface E2eOptions {
  target: E2eTarget
  engine: Engine
  /** Atende only; the two-stage chain always runs on Redis. */
  runtime: Runtime
  aiLatencyMs: number
  load: E2eLoad
  /** Each customer writes, waits for the reply, writes again, this many times. @defaultValue 6 */
  messagesPerConversation?: number
  durationSeconds: number
  /** Run before counting: JIT, connections, queues filling up. @defaultValue 3 */
  warmUpSeconds?: number
  /** Settings on top of the bench's (queue concurrency, limiters). */
  settings?: Record<string, string>
  /** WhatsApp numbers the customers write to, round robin (Meta allows 80 msgs/s per number). @defaultValue 1 */
  numbers?: number
  /**
   * Share of customer messages, 0–1, that are pictures instead of text: phone photos (JPEG) of
   * the bench's boletos and PIX QR codes, in turn, every other one with a caption. The target
   * downloads each through the fake Graph API, reads it, and only then answers. @defaultValue 0
   */
  imageShare?: number
}

export interface E2eRow {
  target: E2eTarget
  engine: Engine
  runtime: Runtime
  aiLatencyMs: number
  load: E2eLoad
  settings: Record<string, string>
  durationSeconds: number
  /** Replies received during the measured window, per second. */
  messagesPerSecond: number
  /** Conversations completed during the measured window, per second. */
  conversationsPerSecond: number
  /** From the webhook POST of a message to the Graph API call carrying its reply. */
  latency: { count: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number }
  /** Reply p99 of each whole minute of the measured window (runs of two minutes or more): does it drift? */
  p99ByMinuteMs?: number[]
  /** Messages still waiting for their reply when the window closed. */
  backlog: number
  /** Webhook requests that did not answer 200 (each was sent again). */
  webhookFailures: number
  /** Replies that matched no waiting message (a duplicate send would show here). */
  unexpectedReplies: number
  /** Peak resident set size (VmHWM) of each process of the target, MiB. */
  peakRssMiB: Record<string, number>
  /** Who vacuumed PostgreSQL: its autovacuum, or the bench standing in for it when that is off. */
  vacuum: 'autovacuum' | 'bench, every 20 s' | 'n/a'
  /** WhatsApp numbers used, and the most replies any one of them sent in one second. */
  numbers: number
  peakPerNumberPerSecond: number
  /** Share of customer messages that were pictures; absent from results written before there were any (text only). */
  imageShare?: number
  /** Pictures sent during the measured window (redeliveries not counted), and replies to pictures received in it. */
  imagesSent?: number
  imageReplies?: number
}

const QUESTIONS = [
  'Oi, boa tarde!',
  'Minha internet está caindo toda hora desde ontem',
  'Já reiniciei o roteador e não resolveu',
  'Vocês podem mandar um técnico amanhã de manhã?',
  'E a segunda via do boleto deste mês, como faço?',
  'Obrigado pela ajuda',
]

function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? 0 : Math.round(Number(kb) / 1024)
  } catch {
    return 0
  }
}

interface Customer {
  sentAt: number
  sent: number
  /** Whether the message waiting for its reply is a picture. */
  picture: boolean
}

/**
 * One end-to-end phase: customers write through the signed webhook, the target answers through
 * the fake Graph API, and each reply is matched to the customer's waiting message. Fresh
 * database, Redis and fakes per phase.
 */
export async function e2ePhase(o: E2eOptions): Promise<E2eRow> {
  const perConversation = o.messagesPerConversation ?? 6
  const warmUp = o.warmUpSeconds ?? 3
  const imageShare = o.imageShare ?? 0
  if (!(imageShare >= 0 && imageShare <= 1)) throw new RangeError(`imageShare is a share of messages, 0 to 1; got ${imageShare}`)
  // The baseline answers a picture as '[image]' without downloading it: nothing to compare.
  if (imageShare > 0 && o.target !== 'atende') throw new Error(`imageShare needs target 'atende'; the ${o.target} baseline never downloads pictures`)
  // Before anything is timed: one photo per bench item (5, about 1 MiB in all), sent in turn.
  const pictures: BenchMedia[] = imageShare === 0
    ? []
    : (await generateImageSet(BENCH_ITEMS, ['photo-jpeg'])).map((p) => benchMedia(p.bytes, p.mime))
  const database = await createBenchDatabase(o.engine)
  const redis: RedisServer | undefined = o.target === 'two-stage' || o.runtime === 'redis' ? await startRedis() : undefined
  const customers = new Map<string, Customer & { number: string }>()
  const numbers = Array.from({ length: o.numbers ?? 1 }, (_, i) => String(Number(BENCH_PHONE_NUMBER_ID) + i))
  // Replies per (number, second), for the per-number peak Meta's limit is about.
  const perNumberSecond = new Map<string, number>()
  const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 })
  const histogram = newHistogram()
  const byMinute: Array<ReturnType<typeof newHistogram>> = []
  let measuredFrom = 0
  let measuring = false
  let stopped = false
  let replied = 0
  let completed = 0
  let unexpected = 0
  let failures = 0
  let messages = 0
  let pictureSerial = 0
  let imagesSent = 0
  let imageReplies = 0
  let graph: BenchFake | undefined
  let ai: BenchFake | undefined
  let server: AtendeProcess | undefined
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the target, to find where its time goes.
  const script = { keepLogs: false, nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [] }
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  let vacuum: Awaited<ReturnType<typeof standInForAutovacuum>> | undefined
  try {
    ai = await startAiStub(o.aiLatencyMs)
    graph = await startGraphSink((to, at, phoneNumberId) => {
      const key = `${phoneNumberId}:${Math.floor(at / 1000)}`
      if (measuring) perNumberSecond.set(key, (perNumberSecond.get(key) ?? 0) + 1)
      onReply(to, at)
    }, pictures)
    const env: Record<string, string> = {
      LOG_LEVEL: 'info',
      WHATSAPP_APP_SECRET: BENCH_APP_SECRET,
      WHATSAPP_TRANSPORT: 'cloud',
      WHATSAPP_API_BASE_URL: graph.url,
      WHATSAPP_TOKEN: 'bench-token',
      WHATSAPP_PHONE_NUMBER_ID: BENCH_PHONE_NUMBER_ID,
      AI_PROVIDER: 'openai',
      OPENAI_BASE_URL: ai.url,
      OPENAI_API_KEY: 'bench-key',
      DEBOUNCE_MS: '0',
      ...database.env,
      ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
      ...o.settings,
    }
    vacuum = await standInForAutovacuum(env.DATABASE_URL)
    server = o.target === 'atende'
      ? await startAtende(env, 'serve', script)
      : await startScript(['bench/baselines/two-stage.ts'], env, script)
    const url = new URL('/webhooks/whatsapp', server.url)
    let serial = 0
    const run = `${o.target}-${o.engine}-${Date.now()}`

    // Message k is a picture when k × share passes a whole number: exactly the share, spread evenly.
    const nextIsPicture = () => {
      messages++
      return Math.floor(messages * imageShare + 1e-9) > Math.floor((messages - 1) * imageShare + 1e-9)
    }
    const message = (from: string, customer: Customer) => {
      const id = `wamid.e2e.${run}.${++serial}`
      if (!customer.picture) return textMessage(from, id, QUESTIONS[customer.sent % QUESTIONS.length]!)
      const index = pictureSerial++ % pictures.length
      const caption = pictureSerial % 2 === 0 ? 'segue, pode conferir?' : undefined
      return imageMessage(from, id, { ...pictures[index]!, id: benchMediaId(index, `${run}.${serial}`) }, caption)
    }
    // A redelivery (`again`) carries the same kind of message, under a new wamid.
    const send = (from: string, customer: Customer & { number: string }, again = false) => {
      if (!again) {
        customer.picture = nextIsPicture()
        if (customer.picture && measuring) imagesSent++
      }
      const { body, signature } = signedWebhook(from, [message(from, customer)], customer.number)
      customer.sentAt = performance.now()
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } }, (res) => {
        res.resume()
        // Meta redelivers what was not acknowledged; so does the bench, at once.
        if (res.statusCode !== 200) retry()
      })
      const retry = () => {
        failures++
        if (!stopped) setTimeout(() => send(from, customer, true), 100)
      }
      req.on('error', retry)
      req.end(body)
    }
    let started = 0
    const startConversation = () => {
      const from = `5521${String(++started).padStart(9, '0')}`
      const customer = { sentAt: 0, sent: 0, picture: false, number: numbers[started % numbers.length]! }
      customers.set(from, customer)
      send(from, customer)
    }
    function onReply(to: string, at: number) {
      const customer = customers.get(to)
      if (customer === undefined || customer.sentAt === 0) {
        unexpected++
        return
      }
      if (measuring) {
        const latency = Math.max(1, Math.round(at - customer.sentAt))
        histogram.recordValue(latency)
        if (o.durationSeconds >= 120) {
          const minute = Math.floor((performance.now() - measuredFrom) / 60_000)
          if (minute < Math.floor(o.durationSeconds / 60)) (byMinute[minute] ??= newHistogram()).recordValue(latency)
        }
        replied++
        if (customer.picture) imageReplies++
      }
      customer.sentAt = 0
      customer.sent++
      if (stopped) return
      if (customer.sent < perConversation) return send(to, customer)
      customers.delete(to)
      if (measuring) completed++
      if ('customers' in o.load) startConversation()
    }

    const t0 = performance.now()
    let arrivals: NodeJS.Timeout | undefined
    if ('customers' in o.load) {
      for (let i = 0; i < o.load.customers; i++) startConversation()
    } else {
      const rate = o.load.conversationsPerSecond
      arrivals = setInterval(() => {
        const due = Math.floor(((performance.now() - t0) / 1000) * rate) - started
        for (let i = 0; i < due; i++) startConversation()
      }, 10)
    }
    await new Promise((r) => setTimeout(r, warmUp * 1000))
    measuring = true
    measuredFrom = performance.now()
    await new Promise((r) => setTimeout(r, o.durationSeconds * 1000))
    measuring = false
    stopped = true
    clearInterval(arrivals)
    const backlog = [...customers.values()].filter((c) => c.sentAt !== 0).length
    const peakRss = { [o.target === 'atende' ? 'serve' : 'two-stage']: peakRssMiB(server.proc.pid) }
    const ms = (p: number) => histogram.getValueAtPercentile(p)
    return {
      target: o.target,
      engine: o.engine,
      runtime: o.target === 'two-stage' ? 'redis' : o.runtime,
      aiLatencyMs: o.aiLatencyMs,
      load: o.load,
      settings: o.settings ?? {},
      durationSeconds: o.durationSeconds,
      messagesPerSecond: Math.round(replied / o.durationSeconds),
      conversationsPerSecond: Math.round((completed / o.durationSeconds) * 10) / 10,
      latency: { count: histogram.totalCount, p50Ms: ms(50), p95Ms: ms(95), p99Ms: ms(99), maxMs: ms(100) },
      ...(byMinute.length === 0 ? {} : { p99ByMinuteMs: Array.from(byMinute, (h) => h?.getValueAtPercentile(99) ?? 0) }),
      backlog,
      webhookFailures: failures,
      unexpectedReplies: unexpected,
      peakRssMiB: peakRss,
      vacuum: vacuum.kind,
      numbers: numbers.length,
      peakPerNumberPerSecond: Math.max(0, ...perNumberSecond.values()),
      imageShare,
      imagesSent,
      imageReplies,
    }
  } finally {
    stopped = true
    await vacuum?.stop()
    agent.destroy()
    await server?.stop()
    await graph?.close()
    await ai?.close()
    await redis?.stop()
    await database.drop()
  }
}

/**
 * A PostgreSQL running with autovacuum off (as the one this bench was first run on) lets dead
 * rows pile up: every turn updates its conversation, and within minutes the same queries
 * read several times the rows. Production runs autovacuum; so the bench stands in for it,
 * with VACUUM ANALYZE every 20 s, and says so in the results.
 */
async function standInForAutovacuum(url: string | undefined): Promise<{ kind: E2eRow['vacuum']; stop(): Promise<void> }> {
  if (url === undefined) return { kind: 'n/a', stop: async () => {} }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ autovacuum: string }>('show autovacuum')
  if (rows[0]?.autovacuum === 'on') {
    await client.end()
    return { kind: 'autovacuum', stop: async () => {} }
  }
  let running: Promise<unknown> = Promise.resolve()
  const timer = setInterval(() => {
    running = running.then(() => client.query('vacuum analyze')).catch(() => {})
  }, 20_000)
  return {
    kind: 'bench, every 20 s',
    stop: async () => {
      clearInterval(timer)
      await running
      await client.end()
    },
  }
}
