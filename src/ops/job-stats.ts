import hdr from 'hdr-histogram-js'
import { QUEUE_NAMES, type QueueName } from '../config/index.js'
import { isAtendeError } from '../errors.js'
import type { Alerts } from './alerts.js'
import type { Metrics } from './metrics.js'

/** Latency percentiles in ms; `null` while nothing was measured. */
export interface Percentiles {
  p50: number | null
  p95: number | null
  p99: number | null
}

/** What this process measured of one queue's jobs. */
export interface QueueJobStats {
  completed: number
  failed: number
  retried: number
  /** Jobs completed per minute, averaged over the last 1, 5 and 15 minutes. */
  throughput: { '1m': number; '5m': number; '15m': number }
  waitMs: Percentiles
  processMs: Percentiles
}

export interface JobStats {
  /** A job's run is over: how it ended and how long it ran (and waited, when the runtime knows). */
  record(queue: QueueName, outcome: JobOutcome, timing: { processMs: number; waitMs?: number }): void
  snapshot(): Record<QueueName, QueueJobStats>
}

/** `delayed`: the job asked to run later without spending an attempt; neither done nor failed. */
export type JobOutcome = 'completed' | 'retried' | 'failed' | 'delayed'

const WINDOW_SECONDS = 15 * 60

/**
 * Per-process job figures for `/api/queue/metrics`: counts, percentiles (HDR histograms, so
 * memory stays fixed) and a per-second ring of completions for the 1/5/15-minute throughput.
 */
export function createJobStats(options: { now?: () => number } = {}): JobStats {
  const now = options.now ?? Date.now
  const queues = new Map(QUEUE_NAMES.map((q) => [q, newQueue()]))

  function newQueue() {
    const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 24 * 3_600_000, numberOfSignificantValueDigits: 2 })
    return {
      completed: 0,
      failed: 0,
      retried: 0,
      wait: histogram(),
      process: histogram(),
      // Completions per second over the last 15 minutes; `stamps` says which second a slot holds.
      ring: new Array<number>(WINDOW_SECONDS).fill(0),
      stamps: new Array<number>(WINDOW_SECONDS).fill(-1),
    }
  }
  type Q = ReturnType<typeof newQueue>

  const percentiles = (h: Q['wait']): Percentiles =>
    h.totalCount === 0
      ? { p50: null, p95: null, p99: null }
      : { p50: h.getValueAtPercentile(50), p95: h.getValueAtPercentile(95), p99: h.getValueAtPercentile(99) }

  function completionsSince(q: Q, second: number, seconds: number): number {
    let sum = 0
    for (let s = second - seconds + 1; s <= second; s++) {
      const i = s % WINDOW_SECONDS
      if (q.stamps[i] === s) sum += q.ring[i]!
    }
    return sum
  }

  return {
    record(queue, outcome, timing) {
      const q = queues.get(queue)!
      q.process.recordValue(Math.max(1, Math.round(timing.processMs)))
      if (timing.waitMs !== undefined) q.wait.recordValue(Math.max(1, Math.round(timing.waitMs)))
      if (outcome === 'retried') q.retried++
      if (outcome === 'failed') q.failed++
      if (outcome !== 'completed') return
      q.completed++
      const second = Math.floor(now() / 1000)
      const i = second % WINDOW_SECONDS
      if (q.stamps[i] !== second) {
        q.stamps[i] = second
        q.ring[i] = 0
      }
      q.ring[i]!++
    },
    snapshot() {
      const second = Math.floor(now() / 1000)
      const perMinute = (q: Q, minutes: number) => Math.round((completionsSince(q, second, minutes * 60) / minutes) * 100) / 100
      return Object.fromEntries(
        [...queues].map(([name, q]) => [
          name,
          {
            completed: q.completed,
            failed: q.failed,
            retried: q.retried,
            throughput: { '1m': perMinute(q, 1), '5m': perMinute(q, 5), '15m': perMinute(q, 15) },
            waitMs: percentiles(q.wait),
            processMs: percentiles(q.process),
          },
        ]),
      ) as Record<QueueName, QueueJobStats>
    },
  }
}

/** The job context fields the instrumentation reads (src/workers/processor.ts `JobContext`). */
interface Attempts {
  attempt: number
  maxAttempts: number
  /** When the job became ready (ms since the epoch), where the runtime says. */
  readyAt?: number
}
// `never` parameters: any processor is one of these, whatever its wake-up and context types.
type AnyProcessor = (wakeUp: never, ctx: never) => Promise<unknown>

export interface InstrumentOptions {
  metrics: Metrics
  alerts: Alerts
  stats: JobStats
  /** Whether a processor's error ends the job at once (the runtimes' failure classification). */
  isFinal(err: unknown): boolean
  /** Monotonic clock of the process time. @defaultValue performance.now */
  clock?: () => number
  /** Wall clock of the wait, against the job's `readyAt`. @defaultValue Date.now */
  wallClock?: () => number
}

/**
 * Wraps each processor so that every run is counted, whichever runtime runs it: completed,
 * retried, delayed (no attempt spent), or failed for good — the last one raising `job_failed`
 * with the queue as subject and the error's code, never its message.
 */
export function instrumentProcessors<P extends Partial<Record<QueueName, AnyProcessor>>>(processors: P, options: InstrumentOptions): P {
  const clock = options.clock ?? (() => performance.now())
  const wallClock = options.wallClock ?? Date.now
  const out: Partial<Record<QueueName, AnyProcessor>> = {}
  for (const queue of QUEUE_NAMES) {
    const processor = processors[queue]
    if (processor === undefined) continue
    out[queue] = async (wakeUp: never, context: never) => {
      const ctx = context as Attempts
      const started = clock()
      const waitMs = ctx.readyAt === undefined ? undefined : Math.max(0, wallClock() - ctx.readyAt)
      const timing = () => ({ processMs: clock() - started, ...(waitMs === undefined ? {} : { waitMs }) })
      let result: unknown
      try {
        result = await processor(wakeUp, context)
      } catch (err) {
        const final = options.isFinal(err) || ctx.attempt >= ctx.maxAttempts
        options.stats.record(queue, final ? 'failed' : 'retried', timing())
        if (final) {
          options.metrics.jobFailed(queue)
          options.alerts.raise('job_failed', { subject: queue, details: { queue, attempt: ctx.attempt, maxAttempts: ctx.maxAttempts, code: errorCode(err) } })
        }
        throw err
      }
      options.stats.record(queue, result === undefined ? 'completed' : 'delayed', timing())
      if (result === undefined) options.metrics.jobCompleted(queue)
      return result
    }
  }
  return out as P
}

/** An error's catalogued code (src/errors.ts); its message may quote a customer. */
function errorCode(err: unknown): string {
  return isAtendeError(err) ? err.code : 'unknown'
}
