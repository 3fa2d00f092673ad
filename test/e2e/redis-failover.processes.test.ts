import { afterEach, describe, expect, it } from 'vitest'
import { signBody } from '../../src/ingest/index.js'
import { startAtende, type AtendeProcess } from '../helpers/atende-process.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'
import { E2E_APP_SECRET, E2E_WA_TOKEN, textWebhook } from '../helpers/e2e.js'
import { answeredTwice, completedJobs, repliesByCustomer, switches, waitForReplies } from '../helpers/failover.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'
import { personalStrings } from '../helpers/log-scan.js'
import { startRedis, testPrefix, type RedisServer } from '../helpers/redis.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  const errors: unknown[] = []
  for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => errors.push(err))
  if (errors.length > 0) throw errors[0]
})

interface Cluster {
  api: AtendeProcess
  workers: AtendeProcess[]
  redis: RedisServer
  graph: FakeGraph
  prefix: string
  post(body: unknown): Promise<number>
}

/** `atende api` and `workers` × `atende worker` on one PostgreSQL database and one Redis. */
async function startCluster(workers: number): Promise<Cluster> {
  const database: TestDatabase = await createTestDatabase('postgres')
  cleanups.push(() => database.drop())
  const graph = await startFakeGraph()
  cleanups.push(() => graph.close())
  const redis = await startRedis()
  cleanups.push(async () => {
    try { redis.resume() } catch { /* not running */ }
    await redis.stop()
  })
  const prefix = testPrefix()
  const env = {
    WHATSAPP_APP_SECRET: E2E_APP_SECRET,
    WHATSAPP_TRANSPORT: 'cloud',
    WHATSAPP_TOKEN: E2E_WA_TOKEN,
    WHATSAPP_API_BASE_URL: graph.url,
    DATABASE_URL: database.url!,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    // A burst of three messages within 300 ms makes one turn.
    DEBOUNCE_MS: '600',
    DEBOUNCE_MAX_MS: '2000',
    REDIS_FAILOVER_AFTER_MS: '1000',
    REDIS_FAILOVER_POLL_MS: '200',
    REDIS_COMMAND_TIMEOUT_MS: '300',
    RECONCILE_AFTER_MS: '2000',
    RECONCILE_INTERVAL_MS: '500',
  }
  const all: AtendeProcess[] = []
  const stopAll = async () => {
    // Each process's whole output is scanned for the customers' personal data as it stops.
    for (const r of graph.requests) for (const p of all) p.watch(...personalStrings(r.body))
    const results = await Promise.allSettled(all.map((p) => p.stop()))
    const failed = results.find((r) => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }
  cleanups.push(stopAll)
  const started = await Promise.all([
    startAtende(env, 'api'),
    ...Array.from({ length: workers }, () => startAtende(env, 'worker')),
  ])
  all.push(...started)
  const [api, ...rest] = started
  return {
    api: api!,
    workers: rest,
    redis,
    graph,
    prefix,
    post: async (body) => {
      for (const p of all) p.watch(...personalStrings(body))
      const payload = JSON.stringify(body)
      const res = await fetch(`${api!.url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(payload, E2E_APP_SECRET) },
        body: payload,
      })
      await res.arrayBuffer()
      return res.status
    },
  }
}

/** One customer's burst: three messages back to back, which one turn must answer with one reply. */
async function burst(c: Cluster, customer: string, tag: string): Promise<void> {
  for (let i = 0; i < 3; i++) {
    expect(await c.post(textWebhook(`wamid.${tag}.${customer}.${i}`, ['oi', 'minha internet caiu', 'desde ontem'][i]!, customer))).toBe(200)
  }
}

async function outage(workerCount: number, kind: 'killed' | 'frozen'): Promise<void> {
  const c = await startCluster(workerCount)
  const customers: string[] = []
  let n = 0
  const next = () => String(5511983000000 + workerCount * 1000 + n++)
  const bursts = async (count: number, tag: string) => {
    for (let i = 0; i < count; i++) {
      const customer = next()
      customers.push(customer)
      await burst(c, customer, tag)
    }
  }

  await bursts(2, 'before')
  await waitForReplies(c.graph, customers, 30_000)
  if (kind === 'killed') await c.redis.kill()
  else c.redis.pause()
  const duringFrom = customers.length
  // Bursts keep coming while every process notices and fails over.
  await bursts(3, 'noticing')
  for (const p of [c.api, ...c.workers]) await p.waitForLog((l) => l.msg === 'runtime switched' && l.to === 'in-process', 30_000)
  await bursts(3, 'during')
  const during = customers.slice(duringFrom)
  await waitForReplies(c.graph, during, 60_000)

  if (kind === 'killed') await c.redis.start()
  else c.redis.resume()
  for (const p of [c.api, ...c.workers]) await p.waitForLog((l) => l.msg === 'runtime switched' && l.to === 'queues', 30_000)
  const jobsBefore = await completedJobs(c.redis.url, c.prefix, 'ai-response')
  await bursts(2, 'after')
  await waitForReplies(c.graph, customers, 60_000)
  await expect.poll(() => completedJobs(c.redis.url, c.prefix, 'ai-response'), { timeout: 20_000 }).toBeGreaterThanOrEqual(jobsBefore + 2)

  // Let any late duplicate show itself: every reconciler and feed has had a few passes.
  await new Promise((r) => setTimeout(r, 3_000))
  expect(answeredTwice(c.graph)).toEqual([])
  expect(repliesByCustomer(c.graph).size).toBe(customers.length)
  for (const p of [c.api, ...c.workers]) {
    // One round trip per process; on a loaded machine a probe may also time out after the
    // resume and make a second one. Either way the transitions alternate and end on queues.
    const seen = switches(p).map((l) => `${l.from}>${l.to}`)
    expect(seen.length % 2, seen.join(', ')).toBe(0)
    expect(seen.length, seen.join(', ')).toBeGreaterThanOrEqual(2)
    seen.forEach((t, i) => expect(t, seen.join(', ')).toBe(i % 2 === 0 ? 'queues>in-process' : 'in-process>queues'))
  }
  console.info(JSON.stringify({
    figure: 'redis outage, several processes', processes: `api + ${workerCount} worker`, outage: kind,
    bursts: customers.length, burstsDuringOutage: during.length, replies: [...repliesByCustomer(c.graph).values()].flat().length,
    answeredTwice: answeredTwice(c.graph).length,
  }))
}

describe('when Redis goes away under api and worker processes on PostgreSQL', () => {
  it('answers each burst once with one worker (Redis killed)', async () => {
    await outage(1, 'killed')
  }, 180_000)

  it('answers each burst once with two workers (Redis frozen)', async () => {
    await outage(2, 'frozen')
  }, 180_000)
})
