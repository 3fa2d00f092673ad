import { afterEach, describe, expect, it, vi } from 'vitest'
import type { QueueName, QueueSettings } from '../../src/config/index.js'
import { createInProcessRuntime, type InProcessRuntime } from '../../src/dispatch/index.js'
import { AtendeError } from '../../src/errors.js'
import type { JobContext, ProcessorResult, Processors, WakeUp } from '../../src/queues/index.js'
import { deferred, queueSettings, silentLog, within } from './helpers.js'

const runtimes: InProcessRuntime[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const r of runtimes.splice(0).reverse()) {
    r.abort()
    await within(r.close(), 5_000, 'the in-process runtime to close')
  }
})

function runtime(overrides: Partial<Record<QueueName, Partial<QueueSettings>>> = {}, processors?: Processors) {
  const r = createInProcessRuntime({ queues: queueSettings(overrides), log: silentLog, ...(processors ? { processors } : {}) })
  runtimes.push(r)
  return r
}

interface Call {
  wakeUp: WakeUp
  attempt: number
  maxAttempts: number
  at: number
}

/** A test processor: records each call, then does what `behave` says with it. */
function recorder(behave: (call: Call, n: number) => Promise<ProcessorResult> | ProcessorResult = () => undefined) {
  const calls: Call[] = []
  const processor = async (wakeUp: WakeUp, ctx: JobContext): Promise<ProcessorResult> => {
    const call = { wakeUp, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, at: Date.now() }
    calls.push(call)
    return behave(call, calls.length)
  }
  return { calls, processor }
}

/** Resolves when `calls` reaches `n` entries (checked after each call by the processor's `behave`). */
function nthCall(n: number) {
  const d = deferred()
  return { reached: d.promise, check: (count: number) => (count >= n ? d.resolve() : undefined) }
}

const retryable = () => new AtendeError('ATD_TEST_FLAKY', 503, 'flaky', { retryable: true })

describe('in-process runtime', () => {
  it('runs a wake-up with attempt 1 and the queue\'s maxAttempts', async () => {
    const done = deferred()
    const { calls, processor } = recorder(() => done.resolve())
    const r = runtime({ 'message-processing': { attempts: 3 } }, { 'message-processing': processor })
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await within(done.promise, 5_000, 'the processor')
    expect(calls).toMatchObject([{ wakeUp: { queue: 'message-processing', messageId: 1 }, attempt: 1, maxAttempts: 3 }])
  })

  it('retries a failing job with exponential backoff up to attempts, then stops', async () => {
    const backoffMs = 50
    const fourth = nthCall(4)
    const { calls, processor } = recorder((_, n) => {
      fourth.check(n)
      throw retryable()
    })
    const r = runtime({ 'message-processing': { attempts: 4, backoffMs } }, { 'message-processing': processor })
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await within(fourth.reached, 10_000, 'the fourth attempt')
    await r.idle()
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4])
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at)
    // 1× → 2× → 4× backoffMs. Timestamps are the processor's, taken a moment after the
    // runtime's timer, and a loaded machine stretches moments: loose lower bounds and a ratio.
    expect(gaps[0]).toBeGreaterThanOrEqual(backoffMs * 0.75)
    expect(gaps[1]).toBeGreaterThanOrEqual(2 * backoffMs * 0.75)
    expect(gaps[2]).toBeGreaterThanOrEqual(4 * backoffMs * 0.75)
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!)

    // Stopped: the entry is gone, so the same key dispatched again starts over at attempt 1
    // (a pending retry would have been moved to now and kept attempt 5).
    const again = deferred()
    const probe = recorder(() => again.resolve())
    r.start({ 'message-processing': probe.processor })
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await within(again.promise, 5_000, 'the probe run')
    expect(probe.calls.map((c) => c.attempt)).toEqual([1])
  })

  it('does not retry a non-retryable AtendeError', async () => {
    const first = deferred()
    const { calls, processor } = recorder((_, n) => {
      if (n === 1) {
        first.resolve()
        throw new AtendeError('X', 400, 'no', { retryable: false })
      }
    })
    // A backoff far longer than the test: had the job been retried, the probe below would
    // find that pending retry, move it to now and run it as attempt 2.
    const r = runtime({ 'message-processing': { attempts: 4, backoffMs: 600_000 } }, { 'message-processing': processor })
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await within(first.promise, 5_000, 'the first attempt')
    await r.idle()
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await r.idle()
    expect(calls.map((c) => c.attempt)).toEqual([1, 1])
  })

  it('runs a job again at retryAt without counting an attempt', async () => {
    const second = deferred()
    let retryAt = 0
    const { calls, processor } = recorder((_, n) => {
      if (n === 1) {
        retryAt = Date.now() + 30
        return { retryAt: new Date(retryAt), reason: 'debounce' }
      }
      second.resolve()
    })
    const r = runtime({ 'message-processing': { attempts: 4 } }, { 'message-processing': processor })
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await within(second.promise, 5_000, 'the delayed run')
    expect(calls.map((c) => c.attempt)).toEqual([1, 1])
    // Not before retryAt (a few ms for timers measured on the event loop's cached clock).
    expect(calls[1]!.at).toBeGreaterThanOrEqual(retryAt - 10)
  })

  it('reschedules a wake-up for a key that is already pending instead of adding a second run', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { calls, processor } = recorder()
    const r = runtime({}, { 'ai-response': processor })
    const now = Date.now()
    await r.dispatch([{ queue: 'ai-response', conversationId: 7, runAt: new Date(now + 60_000) }])
    await r.dispatch([{ queue: 'ai-response', conversationId: 7, runAt: new Date(now + 5_000) }])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.wakeUp).toEqual({ queue: 'ai-response', conversationId: 7, runAt: new Date(now + 5_000) })
    // The first time has passed too: it was moved, not kept beside the new one.
    await vi.advanceTimersByTimeAsync(120_000)
    expect(calls).toHaveLength(1)
  })

  it('runs a wake-up that arrives while its key runs once more afterwards, never two at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const release = deferred()
    const started = deferred()
    let running = 0
    let maxRunning = 0
    const { calls, processor } = recorder(async (_, n) => {
      maxRunning = Math.max(maxRunning, ++running)
      if (n === 1) {
        started.resolve()
        await release.promise
      }
      running--
    })
    const r = runtime({ 'ai-response': { concurrency: 10, limiterMax: 0 } }, { 'ai-response': processor })
    const t0 = Date.now()
    const turn = (ms: number): WakeUp => ({ queue: 'ai-response', conversationId: 7, runAt: new Date(t0 + ms) })
    await r.dispatch([turn(0)])
    await vi.advanceTimersByTimeAsync(0)
    await started.promise
    await r.dispatch([turn(1)])
    await r.dispatch([turn(2)])
    await vi.advanceTimersByTimeAsync(10)
    expect(calls).toHaveLength(1)
    release.resolve()
    await vi.advanceTimersByTimeAsync(60_000)
    // Only the latest wake-up is kept for afterwards: it carries the newest due time.
    expect(calls.map((c) => c.wakeUp)).toEqual([turn(0), turn(2)])
    expect(maxRunning).toBe(1)
  })

  it('never runs more jobs of a queue at once than its concurrency', async () => {
    const concurrency = 3
    const gate = deferred()
    const tenth = nthCall(10)
    let running = 0
    let maxRunning = 0
    const { processor } = recorder(async (_, n) => {
      maxRunning = Math.max(maxRunning, ++running)
      // Every job holds its slot until `concurrency` of them run; a runtime that let a fourth
      // start would have done so in the same pump, before the gate opens.
      if (running === concurrency) gate.resolve()
      await gate.promise
      running--
      tenth.check(n)
    })
    const r = runtime({ 'message-processing': { concurrency } }, { 'message-processing': processor })
    await r.dispatch(Array.from({ length: 10 }, (_, i) => ({ queue: 'message-processing' as const, messageId: i + 1 })))
    await within(tenth.reached, 5_000, 'ten jobs')
    await r.idle()
    expect(maxRunning).toBe(concurrency)
  })

  it('starts no more than limiterMax jobs per limiter window', async () => {
    const limiterMax = 2
    const limiterDurationMs = 200
    const sixth = nthCall(6)
    const { calls, processor } = recorder((_, n) => sixth.check(n))
    const r = runtime({ 'ai-response': { concurrency: 50, limiterMax, limiterDurationMs } }, { 'ai-response': processor })
    const runAt = new Date()
    await r.dispatch(Array.from({ length: 6 }, (_, i) => ({ queue: 'ai-response' as const, conversationId: i + 1, runAt })))
    await within(sixth.reached, 5_000, 'six jobs')
    const starts = calls.map((c) => c.at)
    // Any limiterMax + 1 consecutive starts span a window. The processor notes the time a
    // moment after the runtime does, and a loaded machine may stretch that moment, so the
    // bound is loose; without a limiter all six would start within a few ms.
    for (let i = limiterMax; i < starts.length; i++) {
      expect(starts[i]! - starts[i - limiterMax]!).toBeGreaterThanOrEqual(limiterDurationMs * 0.75)
    }
  })

  it('runs work dispatched before start() once the processors are given', async () => {
    const r = runtime()
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }, { queue: 'learning-tasks', conversationId: 2 }])
    // Nothing can run without processors: the runtime is idle with the work kept.
    await r.idle()
    const both = nthCall(2)
    const { calls, processor } = recorder((_, n) => both.check(n))
    r.start({ 'message-processing': processor, 'learning-tasks': processor })
    await within(both.reached, 5_000, 'the kept wake-ups')
    expect(calls.map((c) => c.wakeUp)).toEqual(
      expect.arrayContaining([{ queue: 'message-processing', messageId: 1 }, { queue: 'learning-tasks', conversationId: 2 }]),
    )
  })

  it('waits in close() for the running job to finish, not for queued ones', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const started = deferred()
    const release = deferred()
    const events: string[] = []
    const { processor } = recorder(async () => {
      started.resolve()
      await release.promise
      events.push('job finished')
    })
    // Concurrency 1 and a second job left waiting behind the first: close() must not wait
    // for queued work (the reconciler brings it back), only for what runs.
    const r = createInProcessRuntime({ queues: queueSettings({ 'message-processing': { concurrency: 1 } }), log: silentLog })
    r.start({ 'message-processing': processor })
    await r.dispatch([{ queue: 'message-processing', messageId: 1 }, { queue: 'message-processing', messageId: 2 }])
    // Both become due: the first runs, the second waits for the free slot.
    await vi.advanceTimersByTimeAsync(1)
    await started.promise
    const closing = r.close().then(() => events.push('close resolved'))
    // One turn of the event loop: a close() that did not wait would resolve here.
    await new Promise((resolve) => setImmediate(resolve))
    expect(events).toEqual([])
    release.resolve()
    await closing
    expect(events).toEqual(['job finished', 'close resolved'])
  })

  it('lets other I/O in between jobs when a backlog is due', async () => {
    // PGlite answers on this thread: jobs whose awaits never leave the microtask queue, run
    // back to back, starved every socket (after a 15,000-message delivery, a webhook waited 280 s).
    const all = deferred()
    let done = 0
    let seenByNextMacrotask: number | undefined
    const processor = async () => {
      if (done === 0) setImmediate(() => (seenByNextMacrotask = done))
      await Promise.resolve()
      if (++done === 100) all.resolve()
    }
    const r = runtime({ 'message-processing': { concurrency: 1 } }, { 'message-processing': processor })
    await r.dispatch(Array.from({ length: 100 }, (_, i) => ({ queue: 'message-processing' as const, messageId: i + 1 })))
    await within(all.promise, 5_000, 'the backlog')
    expect(seenByNextMacrotask).toBeLessThan(100)
  })
})
