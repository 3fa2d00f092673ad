import { afterEach, describe, expect, it, vi } from 'vitest'
import type { QueueName, QueueSettings } from '../../src/config/index.js'
import { createInProcessRuntime, type InProcessRuntime } from '../../src/dispatch/index.js'
import type { JobContext, ProcessorResult, Processors, WakeUp } from '../../src/queues/index.js'
import { followTimers, type FollowedTimers } from '../helpers/timers.js'
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

/** What only the in-process runtime does; what both must do is test/queues/runtime-conformance.test.ts. */
describe('in-process runtime', () => {
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

  // A stopped `serve` lingered 30 minutes on the idle timer of a conversation it had just
  // answered; a supervisor (or CI) waited for it that long.
  describe('pending work and the life of the process', () => {
    const followed: FollowedTimers[] = []
    afterEach(() => {
      for (const t of followed.splice(0)) t.stop()
    })
    const follow = () => {
      const t = followTimers()
      followed.push(t)
      return t
    }

    it('a wake-up waiting for its time does not keep the process alive', async () => {
      const { calls, processor } = recorder()
      const r = runtime({}, { 'nps-survey': processor })
      const timers = follow()
      await timers.during(() => r.dispatch([{ queue: 'nps-survey', conversationId: 3, runAt: new Date(Date.now() + 1_800_000) }]))
      expect(r.stored('nps-survey')).toBe(1)
      expect(timers.started).toBeGreaterThan(0)
      expect(timers.keepingAlive()).toBe(0)
      expect(calls).toHaveLength(0)
    })

    it('a wake-up dispatched once closing began arms no timer and never runs', async () => {
      const gate = deferred()
      const { calls, processor } = recorder(async () => {
        await gate.promise
      })
      const r = runtime({}, { 'ai-response': processor, 'nps-survey': processor })
      await r.dispatch([{ queue: 'ai-response', conversationId: 1, runAt: new Date() }])
      await vi.waitFor(() => expect(calls).toHaveLength(1))
      const closing = r.close()
      const timers = follow()
      // What a turn finishing during shutdown does: its idle timer, and work due at once.
      await timers.during(() =>
        r.dispatch([
          { queue: 'nps-survey', conversationId: 1, runAt: new Date(Date.now() + 1_800_000) },
          { queue: 'nps-survey', conversationId: 2, runAt: new Date() },
        ]),
      )
      expect(timers.started).toBe(0)
      gate.resolve()
      await closing
      expect(calls.map((c) => c.wakeUp.queue)).toEqual(['ai-response'])
    })
  })
})
