import { startAtende, startScript, type AtendeProcess } from '../test/helpers/atende-process.js'
import { startRedis, type RedisServer } from '../test/helpers/redis.js'
import { createBenchDatabase, type Engine } from './lib/databases.js'
import { runLoad, type LoadResult } from './lib/load.js'
import { BENCH_APP_SECRET, createPayloadFactory } from './lib/payloads.js'

/**
 * `atende` is `atende serve`: webhook and workers in one process. `atende-split` is the
 * deployment for PostgreSQL + Redis: `atende api` taking webhooks beside one `atende worker`
 * process, so the operating system, not one event loop, shares the CPU between them.
 */
export type Target = 'bare' | 'naive-durable' | 'atende' | 'atende-split'
export type Runtime = 'in-process' | 'redis'

export interface IngestRow {
  target: Target
  engine: Engine | '-'
  runtime: Runtime | '-'
  /** Offered req/s; null = saturation. */
  rate: number | null
  client: LoadResult
  server: { p50Ms: number; p99Ms: number; p999Ms: number; count: number }
  /** Turns replied per second during the measured phase (atende only): the work behind the webhooks. */
  turnsPerSecond: number | null
}

const ADMIN_TOKEN = 'bench-admin-token'
const WARM_UP_SECONDS = 2
/** Enough for 5,000 req/s at a few ms each, few enough not to make the client the bottleneck. */
const CONNECTIONS = 50

async function startTarget(target: Target, env: Record<string, string>): Promise<AtendeProcess[]> {
  const common = { LOG_LEVEL: 'info', WHATSAPP_APP_SECRET: BENCH_APP_SECRET, ...env }
  if (target === 'bare') return [await startScript(['bench/baselines/bare.ts'], common)]
  if (target === 'naive-durable') return [await startScript(['bench/baselines/naive-durable.ts'], common)]
  const atende = { ...common, ADMIN_TOKEN, QUEUE_AI_RESPONSE_LIMITER_MAX: '0' }
  if (target === 'atende') return [await startAtende(atende)]
  return [await startAtende(atende, 'api'), await startAtende(atende, 'worker')]
}

/** One phase: a fresh server (so its server-side histogram covers this phase only), one load run. */
export async function ingestPhase(
  target: Target,
  engine: Engine,
  runtime: Runtime,
  rate: number | undefined,
  durationSeconds: number,
): Promise<IngestRow> {
  const database = await createBenchDatabase(engine)
  let redis: RedisServer | undefined
  let processes: AtendeProcess[] = []
  try {
    if (target.startsWith('atende') && runtime === 'redis') redis = await startRedis()
    processes = await startTarget(target, {
      ...(target === 'bare' ? {} : database.env),
      ...(redis === undefined ? {} : { REDIS_URL: redis.url }),
    })
    const server = processes[0]!
    const next = createPayloadFactory(`${target}-${engine}-${runtime}-${rate ?? 'max'}-${Date.now()}`)
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
    // A fresh process runs cold (JIT, connection set-up): warm it, then count from zero.
    await runLoad({ url: server.url, rate, durationSeconds: WARM_UP_SECONDS, connections: CONNECTIONS, next })
    await fetch(`${server.url}/api/metrics/http`, { method: 'DELETE', headers: auth })
    const replied = () => processes.reduce((n, p) => n + p.logs.filter((l) => l.msg === 'turn replied').length, 0)
    const repliedBefore = replied()
    const client = await runLoad({ url: server.url, rate, durationSeconds, connections: CONNECTIONS, next })
    const turns = replied() - repliedBefore
    const res = await fetch(`${server.url}/api/metrics/http`, { headers: auth })
    const s = (await res.json()) as { count: number; p50Ms: number; p99Ms: number; p999Ms: number }
    return {
      target,
      engine: target === 'bare' ? '-' : engine,
      runtime: target.startsWith('atende') ? runtime : '-',
      rate: rate ?? null,
      client,
      server: { count: s.count, p50Ms: s.p50Ms, p99Ms: s.p99Ms, p999Ms: s.p999Ms },
      turnsPerSecond: target.startsWith('atende') ? Math.round(turns / durationSeconds) : null,
    }
  } finally {
    for (const p of processes) await p.stop()
    await redis?.stop()
    await database.drop()
  }
}
