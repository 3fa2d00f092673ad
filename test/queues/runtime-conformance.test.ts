/**
 * The queue contract (src/queues) held against both of its runtimes, the way BullMQ tests
 * its adapters: one suite, `describe.each` over the implementations. Whatever a processor
 * sees — deduplication, reruns, delays, retries, attempts, concurrency, limiter, shutdown —
 * must not depend on whether Redis is configured (DESIGN.md, invariant 7).
 */
import { Queue, type ConnectionOptions } from 'bullmq'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { loadConfig, type QueueName, type QueueSettings } from '../../src/config/index.js'
import { createInProcessRuntime, createRuntime, redisOptions, type SwitchingRuntime } from '../../src/dispatch/index.js'
import { AtendeError } from '../../src/errors.js'
import type { Db } from '../../src/store/index.js'
import { jobKey, QUEUE_NAMES, type Dispatcher, type JobContext, type ProcessorResult, type Processors, type WakeUp } from '../../src/queues/index.js'
import { deferred, queueSettings, silentLog, within } from '../dispatch/helpers.js'
import { createTestDatabase, openMigrated } from '../helpers/db.js'
import { freePort, redisEnv, useRedisServer } from '../helpers/redis.js'

const redis = useRedisServer()

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

type Overrides = Partial<Record<QueueName, Partial<QueueSettings>>>

/** One runtime as the rest of the code sees it, plus a count of what it holds. */
interface Subject {
  dispatcher: Dispatcher
  /** Starts consuming with these processors. */
  start(processors: Processors): void
  abort(): void
  close(): Promise<void>
  /** Jobs of `queue` still held: waiting, delayed, retrying or running (not finished ones). */
  stored(queue: QueueName): Promise<number>
}

function inProcess(overrides: Overrides): Subject {
  const runtime = createInProcessRuntime({ queues: queueSettings(overrides), log: silentLog })
  cleanups.push(async () => {
    runtime.abort()
    await runtime.close()
  })
  return {
    dispatcher: runtime,
    start: (p) => runtime.start(p),
    abort: () => runtime.abort(),
    close: () => runtime.close(),
    stored: async (q) => runtime.stored(q),
  }
}

/**
 * One migrated PGlite database for the work claims of the switching runtimes (decision
 * 0028): each runtime claims under owners of its own and releases them as it closes.
 */
let claims: { db: Db; workLeaseMs: number } | undefined
const closeClaims: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const c of closeClaims.splice(0).reverse()) await c()
})
async function claimsDatabase() {
  if (claims !== undefined) return claims
  const t = await createTestDatabase('pglite')
  const database = await openMigrated(t)
  closeClaims.push(() => t.drop(), () => database.close())
  claims = { db: database.db, workLeaseMs: 60_000 }
  return claims
}

/**
 * The switching runtime (invariant 7) with Redis unreachable from the start: the in-process
 * runtime under work claims, fed from the database (empty here: only dispatched work runs).
 */
async function failedOver(overrides: Overrides): Promise<Subject> {
  const nobody = await freePort()
  const redisConfig = loadConfig(redisEnv({ url: `redis://127.0.0.1:${nobody}` }, { REDIS_COMMAND_TIMEOUT_MS: '200', REDIS_FAILOVER_AFTER_MS: '200' })).redis!
  const runtime = await createRuntime({
    config: { redis: redisConfig, queues: queueSettings(overrides) }, log: silentLog, consume: true, failover: await claimsDatabase(),
  })
  cleanups.push(async () => {
    runtime.abort()
    await runtime.close()
  })
  await vi.waitFor(() => expect(runtime.status()).toMatchObject({ mode: 'in-process', failedOver: true }), { timeout: 5_000, interval: 20 })
  return {
    dispatcher: runtime.dispatcher,
    start: (p) => runtime.startWorkers(p),
    abort: () => runtime.abort(),
    close: () => runtime.close(),
    stored: async (q) => (runtime as unknown as SwitchingRuntime).stored(q) ?? 0,
  }
}

/**
 * BullMQ on the test's own redis-server, on a fresh prefix per test; with `claims`, as
 * `atende` runs it: the switching runtime on a Redis that answers, every row job under a
 * work claim.
 */
async function bullmq(overrides: Overrides, claims = false): Promise<Subject> {
  const redisConfig = loadConfig(redisEnv(redis.server)).redis!
  const runtime = await createRuntime({
    config: { redis: redisConfig, queues: queueSettings(overrides) }, log: silentLog, consume: true,
    ...(claims ? { failover: await claimsDatabase() } : {}),
  })
  const connection = redisOptions(redisConfig, 'worker') as ConnectionOptions
  const counters = new Map(QUEUE_NAMES.map((q) => [q, new Queue(q, { connection, prefix: redisConfig.prefix })]))
  cleanups.push(async () => {
    runtime.abort()
    await runtime.close()
    for (const q of counters.values()) {
      await q.obliterate({ force: true })
      await q.close()
    }
  })
  return {
    dispatcher: runtime.dispatcher,
    start: (p) => runtime.startWorkers(p),
    abort: () => runtime.abort(),
    close: () => runtime.close(),
    async stored(q) {
      const counts = await counters.get(q)!.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'waiting-children')
      return Object.values(counts).reduce((a, b) => a + b, 0)
    },
  }
}

interface Call {
  key: string
  wakeUp: WakeUp
  attempt: number
  maxAttempts: number
  at: number
}

/** A processor that records each call, then does what `behave` says with it (n counts from 1). */
function recorder(behave: (n: number, ctx: JobContext) => Promise<ProcessorResult> | ProcessorResult = () => undefined) {
  const calls: Call[] = []
  const processor = async (wakeUp: WakeUp, ctx: JobContext): Promise<ProcessorResult> => {
    calls.push({ key: jobKey(wakeUp), wakeUp, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, at: Date.now() })
    return behave(calls.length, ctx)
  }
  return { calls, processor }
}

/** Resolves once `count()` reaches `n`; the processor calls `check` after each call. */
function nth(n: number) {
  const d = deferred()
  return { reached: d.promise, check: (count: number) => (count >= n ? d.resolve() : undefined) }
}

/**
 * Resolves once `stored(queue)` is 0: the job ran for good (completed, or failed past its
 * attempts). Neither runtime emits one event for that which the other has, so this polls the
 * count, every 20 ms and for 10 s at most.
 */
async function drained(s: Subject, queue: QueueName): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await s.stored(queue)) > 0) {
    if (Date.now() > deadline) throw new Error(`queue ${queue} still holds ${await s.stored(queue)} jobs after 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const retryable = () => new AtendeError('ATD_TEST_FLAKY', 503, 'flaky', { retryable: true })
const message = (messageId: number): WakeUp => ({ queue: 'message-processing', messageId })
const turn = (conversationId: number, inMs = 0): WakeUp => ({ queue: 'ai-response', conversationId, runAt: new Date(Date.now() + inMs) })

const RUNTIMES = [
  ['in-process', async (o: Overrides) => inProcess(o)],
  ['BullMQ', (o: Overrides) => bullmq(o)],
  ['switching (on Redis)', (o: Overrides) => bullmq(o, true)],
  ['switching (failed over)', failedOver],
] as const

describe.each(RUNTIMES)('the %s runtime', (_name, make) => {
  describe('deduplication', () => {
    it('runs a wake-up once, as attempt 1 of the queue\'s attempts', async () => {
      const s = await make({ 'message-processing': { attempts: 3 } })
      const done = deferred()
      const { calls, processor } = recorder(() => done.resolve())
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await within(done.promise, 10_000, 'the run')
      await drained(s, 'message-processing')
      expect(calls.map(({ key, attempt, maxAttempts }) => ({ key, attempt, maxAttempts }))).toEqual([{ key: 'msg-1', attempt: 1, maxAttempts: 3 }])
    })

    it('adds nothing for a row wake-up whose job is still waiting', async () => {
      const s = await make({ 'message-processing': { concurrency: 1 } })
      // Dispatched before any worker runs: both copies of message 1 meet a waiting job.
      await s.dispatcher.dispatch([message(1)])
      await s.dispatcher.dispatch([message(1), message(2)])
      expect(await s.stored('message-processing')).toBe(2)
      const second = nth(2)
      const { calls, processor } = recorder((n) => second.check(n))
      s.start({ 'message-processing': processor })
      await within(second.reached, 10_000, 'two runs')
      await drained(s, 'message-processing')
      // One worker, first in first out: a second job for message 1 would have run before message 2.
      expect(calls.map((c) => c.key)).toEqual(['msg-1', 'msg-2'])
    })

    it('moves a pending conversation job to the later wake-up\'s time instead of adding a second', async () => {
      const s = await make({})
      const done = deferred()
      const { calls, processor } = recorder(() => done.resolve())
      s.start({ 'ai-response': processor })
      const dispatchedAt = Date.now()
      await s.dispatcher.dispatch([turn(7, 600_000)])
      await s.dispatcher.dispatch([turn(7, 50)])
      expect(await s.stored('ai-response')).toBe(1)
      await within(done.promise, 10_000, 'the moved run')
      await drained(s, 'ai-response')
      expect(calls.map((c) => c.key)).toEqual(['ai-response-7'])
      expect(calls[0]!.at - dispatchedAt).toBeLessThan(60_000)
    })
  })

  describe('a wake-up arriving while its job runs', () => {
    it('runs a conversation job once more afterwards, never two at once', async () => {
      const s = await make({ 'ai-response': { concurrency: 10, limiterMax: 0 } })
      const started = deferred()
      const release = deferred()
      let running = 0
      let maxRunning = 0
      const { calls, processor } = recorder(async (n) => {
        maxRunning = Math.max(maxRunning, ++running)
        if (n === 1) {
          started.resolve()
          await release.promise
        }
        running--
      })
      s.start({ 'ai-response': processor })
      await s.dispatcher.dispatch([turn(5)])
      await within(started.promise, 10_000, 'the first run')
      await s.dispatcher.dispatch([turn(5)])
      await s.dispatcher.dispatch([turn(5)])
      release.resolve()
      await drained(s, 'ai-response')
      expect(calls.map((c) => c.key)).toEqual(['ai-response-5', 'ai-response-5'])
      expect(maxRunning).toBe(1)
    })

    it('adds nothing for a row job: the running job reads the row', async () => {
      const s = await make({})
      const started = deferred()
      const release = deferred()
      const { calls, processor } = recorder(async (n) => {
        if (n === 1) {
          started.resolve()
          await release.promise
        }
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await within(started.promise, 10_000, 'the first run')
      await s.dispatcher.dispatch([message(1)])
      release.resolve()
      await drained(s, 'message-processing')
      expect(calls.map((c) => c.key)).toEqual(['msg-1'])
    })
  })

  describe('delays, retries and attempts', () => {
    it('runs a job again at retryAt without spending an attempt', async () => {
      const s = await make({ 'message-processing': { attempts: 4 } })
      let retryAt = 0
      const { calls, processor } = recorder((n) => {
        if (n === 1) {
          retryAt = Date.now() + 100
          return { retryAt: new Date(retryAt), reason: 'debounce' }
        }
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await drained(s, 'message-processing')
      expect(calls.map((c) => c.attempt)).toEqual([1, 1])
      // Not before retryAt (a few ms for timers measured on a cached clock).
      expect(calls[1]!.at).toBeGreaterThanOrEqual(retryAt - 10)
    })

    it('retries a retryable failure with exponential backoff up to attempts, then stops', async () => {
      const backoffMs = 100
      const s = await make({ 'message-processing': { attempts: 4, backoffMs } })
      const { calls, processor } = recorder(() => {
        throw retryable()
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await drained(s, 'message-processing')
      expect(calls.map((c) => [c.attempt, c.maxAttempts])).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]])
      const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
      // 1× → 2× → 4× backoffMs; a loaded machine stretches moments, so loose lower bounds and a ratio.
      expect(gaps[0]).toBeGreaterThanOrEqual(backoffMs * 0.75)
      expect(gaps[1]).toBeGreaterThanOrEqual(2 * backoffMs * 0.75)
      expect(gaps[2]).toBeGreaterThanOrEqual(4 * backoffMs * 0.75)
      expect(gaps[2]!).toBeGreaterThan(gaps[0]!)
    })

    it('does not retry a non-retryable failure', async () => {
      const s = await make({ 'message-processing': { attempts: 4, backoffMs: 10 } })
      const { calls, processor } = recorder(() => {
        throw new AtendeError('ATD_TEST_REFUSED', 400, 'refused', { retryable: false })
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await drained(s, 'message-processing')
      expect(calls.map((c) => c.attempt)).toEqual([1])
    })

    it('counts attempts across a failure and a delay: the delay spends none', async () => {
      const s = await make({ 'message-processing': { attempts: 3, backoffMs: 10 } })
      const { calls, processor } = recorder((n) => {
        if (n === 1) throw retryable()
        if (n === 2) return { retryAt: new Date(Date.now() + 30), reason: 'lease held' }
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await drained(s, 'message-processing')
      expect(calls.map((c) => [c.attempt, c.maxAttempts])).toEqual([[1, 3], [2, 3], [2, 3]])
    })
  })

  describe('concurrency and limiter', () => {
    it('never runs more jobs of a queue at once than its concurrency', async () => {
      const concurrency = 3
      const s = await make({ 'message-processing': { concurrency } })
      const gate = deferred()
      let running = 0
      let maxRunning = 0
      const { calls, processor } = recorder(async () => {
        maxRunning = Math.max(maxRunning, ++running)
        // Every job holds its slot until `concurrency` of them run at once.
        if (running === concurrency) gate.resolve()
        await gate.promise
        running--
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch(Array.from({ length: 10 }, (_, i) => message(i + 1)))
      await drained(s, 'message-processing')
      expect(calls).toHaveLength(10)
      expect(maxRunning).toBe(concurrency)
    })

    it('starts no more than limiterMax jobs per limiter window', async () => {
      const limiterMax = 2
      const limiterDurationMs = 300
      const s = await make({ 'ai-response': { concurrency: 50, limiterMax, limiterDurationMs } })
      const { calls, processor } = recorder()
      s.start({ 'ai-response': processor })
      await s.dispatcher.dispatch(Array.from({ length: 6 }, (_, i) => turn(i + 1)))
      await drained(s, 'ai-response')
      expect(calls).toHaveLength(6)
      const starts = calls.map((c) => c.at).sort((a, b) => a - b)
      // Any limiterMax + 1 consecutive starts span a window; without a limiter all six start at once.
      for (let i = limiterMax; i < starts.length; i++) {
        expect(starts[i]! - starts[i - limiterMax]!).toBeGreaterThanOrEqual(limiterDurationMs * 0.75)
      }
    })
  })

  describe('shutdown', () => {
    it('waits in close() for the running job, not for the waiting ones', async () => {
      const s = await make({ 'message-processing': { concurrency: 1 } })
      const started = deferred()
      const release = deferred()
      const events: string[] = []
      const { calls, processor } = recorder(async () => {
        started.resolve()
        await release.promise
        events.push('job finished')
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1), message(2)])
      await within(started.promise, 10_000, 'the first job')
      const closing = s.close().then(() => events.push('close resolved'))
      // One turn of the event loop: a close() that did not wait would resolve here.
      await new Promise((resolve) => setImmediate(resolve))
      expect(events).toEqual([])
      release.resolve()
      await within(closing, 10_000, 'close()')
      expect(events).toEqual(['job finished', 'close resolved'])
      // The waiting job stays for later (the reconciler's, or the next process's).
      expect(calls.map((c) => c.key)).toEqual(['msg-1'])
    })

    it('aborts the running job\'s signal on abort(), so close() does not wait for it', async () => {
      const s = await make({})
      const started = deferred()
      let reason: unknown
      const { processor } = recorder(async (_n, ctx) => {
        started.resolve()
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))
        reason = ctx.signal.reason
      })
      s.start({ 'message-processing': processor })
      await s.dispatcher.dispatch([message(1)])
      await within(started.promise, 10_000, 'the job')
      s.abort()
      await within(s.close(), 10_000, 'close() after abort()')
      expect(reason).toBeInstanceOf(Error)
    })
  })
})
