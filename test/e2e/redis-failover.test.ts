import { afterEach, describe, expect, it } from 'vitest'
import { startStack, textWebhook, type Stack } from '../helpers/e2e.js'
import { answeredTwice, completedJobs, repliesByCustomer, startStream, switches, waitForReplies, type Stream } from '../helpers/failover.js'
import type { Engine } from '../helpers/db.js'
import { testPrefix } from '../helpers/redis.js'

/**
 * Short enough for a test, long enough that a blip would not count, nor a process's own
 * busy start on a loaded machine (PGlite and the image reader's threads starting together
 * held a healthy connection's first answer for over a second).
 */
const FAILOVER_ENV = {
  REDIS_FAILOVER_AFTER_MS: '2000',
  REDIS_FAILOVER_POLL_MS: '200',
  REDIS_COMMAND_TIMEOUT_MS: '300',
  RECONCILE_AFTER_MS: '2000',
  RECONCILE_INTERVAL_MS: '500',
}

let stack: Stack | undefined
let stream: Stream | undefined
afterEach(async () => {
  await stream?.stop()
  stream = undefined
  if (process.env.DEBUG_FAILOVER !== undefined) {
    for (const l of stack?.atende.logs ?? []) if (l.level !== 20) console.info(JSON.stringify(l).slice(0, 400))
  }
  // A frozen Redis must be thawed before anything closes a client on it.
  try { stack?.redis?.resume() } catch { /* not running */ }
  await stack?.close()
  stack = undefined
})

async function readyz(s: Stack): Promise<{ status: number; body: { status?: string; runtime?: string } }> {
  const res = await fetch(`${s.atende.url}/readyz`)
  return { status: res.status, body: (await res.json()) as { status?: string; runtime?: string } }
}

type Outage = 'killed' | 'frozen'

/**
 * One outage under a steady stream: a message every 150 ms, before, during and after. The
 * timeline is printed for the closing note.
 */
async function outageUnderStream(outage: Outage, engine: Engine): Promise<void> {
  const prefix = testPrefix()
  const s = (stack = await startStack('redis', engine, { ...FAILOVER_ENV, REDIS_PREFIX: prefix }))
  const redis = s.redis!
  const t0 = performance.now()
  const at = () => Math.round(performance.now() - t0)
  stream = startStream(s.post, { everyMs: 150, tag: outage, firstCustomer: 5511981000000 })

  // Before: answered through BullMQ.
  await waitForReplies(s.graph, ['5511981000000', '5511981000001'], 30_000)
  // On a loaded machine a PGlite process's busy start can pass for Redis unreachable and
  // switch to in-process and straight back (a false alarm, harmless; issue #10's notes).
  // The outage starts from a process on Redis, and its own transitions are counted.
  await expect.poll(async () => (await readyz(s)).body.runtime, { timeout: 30_000 }).toBe('queues')
  const before = switches(s.atende).length
  const outageAt = performance.now()
  if (outage === 'killed') await redis.kill()
  else redis.pause()

  const down = await s.atende.waitForLog((l) => l.msg === 'runtime switched' && l.to === 'in-process' && switches(s.atende).length > before, 30_000)
  const switchedAt = performance.now()
  expect(down).toMatchObject({ from: 'queues', to: 'in-process', reason: outage === 'killed' ? 'redis unreachable' : 'redis hung' })
  expect(await readyz(s)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready', runtime: 'in-process (redis unreachable)' }) })
  // Keep the stream going while failed over, then let everything accepted so far be answered
  // with Redis still down.
  await new Promise((r) => setTimeout(r, 2_000))
  const duringOutage = stream.posted.filter((p) => p.answeredAt > outageAt)
  expect(duringOutage.every((p) => p.status === 200)).toBe(true)
  const snapshot = stream.posted.map((p) => p.customer)
  const snapshotAt = performance.now()
  await waitForReplies(s.graph, snapshot, 60_000)
  const answeredDuringOutageAt = performance.now()

  // Redis comes back: empty after the kill, with its old jobs after the freeze.
  const restartAt = performance.now()
  if (outage === 'frozen') redis.resume()
  else await redis.start()
  const back = await s.atende.waitForLog((l) => l.msg === 'runtime switched' && l.to === 'queues' && switches(s.atende).length > before + 1, 30_000)
  expect(back).toMatchObject({ from: 'in-process', to: 'queues', reason: 'redis answers again' })
  const backAt = performance.now()
  const jobsAtSwitchBack = await completedJobs(redis.url, prefix, 'message-processing')
  await new Promise((r) => setTimeout(r, 1_500))
  await stream.stop()
  await waitForReplies(s.graph, stream.posted.map((p) => p.customer), 60_000)
  const afterBack = stream.posted.filter((p) => p.answeredAt > backAt)
  // New messages went through BullMQ again: its workers completed their jobs.
  expect(afterBack.length).toBeGreaterThan(0)
  await expect.poll(() => completedJobs(redis.url, prefix, 'message-processing'), { timeout: 20_000 })
    .toBeGreaterThanOrEqual(jobsAtSwitchBack + afterBack.length)
  expect(await readyz(s)).toEqual({ status: 200, body: expect.objectContaining({ runtime: 'queues' }) })

  // Nothing twice, every message answered, one line per transition.
  expect(stream.posted.every((p) => p.status === 200)).toBe(true)
  expect(answeredTwice(s.graph)).toEqual([])
  expect(repliesByCustomer(s.graph).size).toBe(stream.posted.length)
  expect(switches(s.atende).slice(before).map((l) => `${l.from}>${l.to}`)).toEqual(['queues>in-process', 'in-process>queues'])

  const replies = repliesByCustomer(s.graph)
  const during = stream.posted.filter((p) => p.answeredAt > outageAt && p.answeredAt <= snapshotAt)
  const lastMoments = stream.posted.filter((p) => p.answeredAt > snapshotAt && p.answeredAt < restartAt)
  const answeredBy = (list: typeof during, t: number) => list.filter((p) => replies.get(p.customer)![0]! < t).length
  // Every message accepted during the outage was answered before Redis came back.
  expect(during.length).toBeGreaterThan(0)
  expect(answeredBy(during, restartAt)).toBe(during.length)
  console.info(JSON.stringify({
    figure: 'redis outage timeline', outage, engine,
    redisDownAtMs: Math.round(outageAt - t0), switchedToInProcessAtMs: Math.round(switchedAt - t0),
    allAnsweredAtMs: Math.round(answeredDuringOutageAt - t0), redisBackAtMs: Math.round(restartAt - t0),
    switchedBackAtMs: Math.round(backAt - t0), endAtMs: at(),
    accepted: stream.posted.length, acceptedBeforeOutage: stream.posted.filter((p) => p.answeredAt <= outageAt).length,
    acceptedDuringOutage: during.length, answeredDuringOutage: answeredBy(during, restartAt),
    // Posted while the test waited for those answers: most are answered before Redis returns.
    acceptedWhileWaiting: lastMoments.length, answeredWhileWaitingBeforeRedisBack: answeredBy(lastMoments, restartAt),
    acceptedAfterRedisBack: stream.posted.filter((p) => p.answeredAt >= restartAt).length,
    acceptedAfterSwitchBack: afterBack.length, answeredTwice: answeredTwice(s.graph).length,
    bullmqJobsCompletedAfterBack: (await completedJobs(redis.url, prefix, 'message-processing')) - jobsAtSwitchBack,
  }))
}

describe('when Redis goes away under a steady stream of messages', () => {
  it('answers every message while Redis is killed, and nothing twice once it is back empty', async () => {
    await outageUnderStream('killed', 'postgres')
  }, 180_000)

  it('answers every message while Redis is frozen (SIGSTOP), and nothing twice once it thaws', async () => {
    await outageUnderStream('frozen', 'pglite')
  }, 180_000)
})

describe('when Redis is down as the process starts', () => {
  it('starts in-process, answers, and switches to BullMQ when Redis comes', async () => {
    const prefix = testPrefix()
    const s = (stack = await startStack('redis', 'pglite', { ...FAILOVER_ENV, REDIS_PREFIX: prefix }, { redisDownAtStart: true }))
    const redis = s.redis!
    const first = await s.atende.waitForLog((l) => l.msg === 'runtime switched', 10_000)
    expect(first).toMatchObject({ from: 'queues', to: 'in-process', reason: 'redis unreachable at start' })
    expect((await readyz(s)).body.runtime).toBe('in-process (redis unreachable)')

    expect((await s.post(textWebhook('wamid.START1', 'oi, preciso de ajuda', '5511982000001'))).status).toBe(200)
    await waitForReplies(s.graph, ['5511982000001'], 30_000)

    await redis.start()
    await s.atende.waitForLog((l) => l.msg === 'runtime switched' && l.to === 'queues', 30_000)
    expect((await s.post(textWebhook('wamid.START2', 'oi de novo', '5511982000002'))).status).toBe(200)
    await waitForReplies(s.graph, ['5511982000002'], 30_000)
    await expect.poll(() => completedJobs(redis.url, prefix, 'message-processing'), { timeout: 20_000 }).toBeGreaterThanOrEqual(1)
    expect(answeredTwice(s.graph)).toEqual([])
    expect(switches(s.atende)).toHaveLength(2)
  }, 120_000)
})
