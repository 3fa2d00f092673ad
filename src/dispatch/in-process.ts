import type { Logger } from 'pino'
import {
  backoffDelayMs, classifyFailure, isForgotten, jobKey, logFailure, QUEUE_KINDS, QUEUE_NAMES, runAtOf,
  type Dispatcher, type JobCounts, type Processor, type Processors, type QueueInspector, type QueueName, type QueueSettings, type WakeUp,
} from '../queues/index.js'

export interface InProcessRuntimeOptions {
  /** Processors may also be given later with `start` (they enqueue through this runtime). */
  processors?: Processors
  queues: Readonly<Record<QueueName, QueueSettings>>
  log: Logger
}

export interface InProcessRuntime extends Dispatcher, QueueInspector {
  /** Sets the processors; work dispatched before runs once they are there. */
  start(processors: Processors): void
  /** Resolves when nothing is running or due within the next tick (tests). */
  idle(): Promise<void>
  /** Stops taking work, waits for running jobs; `abort()` first to cut them short. */
  close(): Promise<void>
  /** Aborts the signal handed to running jobs (forced shutdown). */
  abort(): void
  /** How many jobs of `queue` it holds: waiting, delayed, retrying or running (tests, metrics). */
  stored(queue: QueueName): number
}

interface Entry {
  wakeUp: WakeUp
  runAt: number
  attempt: number
  timer: NodeJS.Timeout | undefined
  running: boolean
  /** A wake-up that arrived while this one ran: it runs again afterwards. */
  again: WakeUp | undefined
}

/**
 * The runtime without Redis: the same processors, the same keys and deduplication
 * (`jobKey`, `QUEUE_KINDS`), retries with the queue's backoff, concurrency and limiter.
 * It keeps nothing itself: after a crash the reconciler rebuilds the work from the database.
 */
export function createInProcessRuntime(options: InProcessRuntimeOptions): InProcessRuntime {
  const log = options.log.child({ component: 'in-process-runtime' })
  let processors: Processors = options.processors ?? {}
  const abort = new AbortController()
  const lanes = new Map(QUEUE_NAMES.map((q) => [q, createLane(q, options.queues[q])]))
  let closed = false
  const idleWaiters: Array<() => void> = []

  function createLane(queue: QueueName, settings: QueueSettings) {
    const entries = new Map<string, Entry>()
    const ready: Entry[] = []
    const starts: number[] = []
    const kind = QUEUE_KINDS[queue]
    let active = 0
    // Totals of this process (the in-process runtime's whole truth): /api/queue/metrics.
    let completed = 0
    let failed = 0
    let limiterTimer: NodeJS.Timeout | undefined

    const schedule = (e: Entry) => {
      clearTimeout(e.timer)
      e.timer = undefined
      // Once closed, waiting work stays in the database for the reconciler: a timer armed
      // now (an idle timeout of 30 minutes) would hold a stopped process open that long.
      if (closed) return
      const delay = Math.max(0, e.runAt - Date.now())
      e.timer = setTimeout(() => {
        e.timer = undefined
        ready.push(e)
        pump()
      }, delay)
      // Pending work never keeps the process alive by itself: its rows are durable.
      e.timer.unref()
    }

    const limiterWaitMs = () => {
      if (settings.limiterMax === 0) return 0
      const windowStart = Date.now() - settings.limiterDurationMs
      while (starts.length > 0 && starts[0]! <= windowStart) starts.shift()
      return starts.length < settings.limiterMax ? 0 : starts[0]! - windowStart
    }

    const pump = () => {
      // Without a processor (not started yet, or a queue this process does not serve) work waits.
      while (!closed && processors[queue] !== undefined && active < settings.concurrency && ready.length > 0) {
        const wait = limiterWaitMs()
        if (wait > 0) {
          limiterTimer ??= setTimeout(() => { limiterTimer = undefined; pump() }, wait).unref()
          return
        }
        starts.push(Date.now())
        const e = ready.shift()!
        active++
        e.running = true
        // Started on a macrotask: PGlite answers on this thread, so jobs started straight
        // from the previous one's completion never let a socket be read (a backlog of 15,000
        // jobs held a webhook request for 280 s).
        setImmediate(() => void run(e))
      }
      checkIdle()
    }

    const run = async (e: Entry) => {
      const key = jobKey(e.wakeUp)
      const processor = processors[queue] as Processor<QueueName>
      const jobLog = log.child({ queue, job: key, attempt: e.attempt })
      let next: { runAt: number; attempt: number } | undefined
      try {
        const result = await processor(e.wakeUp, {
          attempt: e.attempt,
          maxAttempts: settings.attempts,
          readyAt: e.runAt,
          signal: abort.signal,
          log: jobLog,
        })
        if (result !== undefined) {
          jobLog.debug({ reason: result.reason }, 'job delayed')
          next = { runAt: result.retryAt.getTime(), attempt: e.attempt }
        } else {
          completed++
        }
      } catch (err) {
        const kind = classifyFailure(err)
        logFailure(jobLog, err, e.attempt, settings.attempts, kind)
        if (kind === 'retry' && e.attempt < settings.attempts) {
          next = { runAt: Date.now() + backoffDelayMs(settings.backoffMs, e.attempt), attempt: e.attempt + 1 }
        } else {
          failed++
        }
      } finally {
        active--
        e.running = false
      }
      if (e.again !== undefined) {
        e.wakeUp = e.again
        e.again = undefined
        const runAt = runAtOf(e.wakeUp, Date.now())
        next = next === undefined ? { runAt, attempt: 1 } : { runAt: Math.min(next.runAt, runAt), attempt: next.attempt }
      }
      if (next === undefined || closed) {
        entries.delete(key)
      } else {
        e.runAt = next.runAt
        e.attempt = next.attempt
        schedule(e)
      }
      pump()
    }

    return {
      entries,
      /** BullMQ's states: a pending run is `delayed` until its time, then `waiting`. */
      counts(): JobCounts {
        const at = Date.now()
        let waiting = ready.length
        let delayed = 0
        for (const e of entries.values()) {
          if (e.timer === undefined) continue
          if (e.runAt > at) delayed++
          else waiting++
        }
        return { waiting, active, delayed, completed, failed }
      },
      // Queued work counts only while it can still start: once closed it stays for the
      // reconciler, and close() waits for running jobs alone. A timer already due is work
      // about to be ready (idle() promises nothing due within the next tick).
      busy: () =>
        active > 0 ||
        (!closed && processors[queue] !== undefined &&
          (ready.length > 0 || [...entries.values()].some((e) => e.timer !== undefined && e.runAt <= Date.now()))),
      pump,
      dispatch(w: WakeUp) {
        const key = jobKey(w)
        const e = entries.get(key)
        if (e === undefined) {
          const fresh: Entry = { wakeUp: w, runAt: runAtOf(w, Date.now()), attempt: 1, timer: undefined, running: false, again: undefined }
          entries.set(key, fresh)
          schedule(fresh)
        } else if (kind === 'row') {
          // Like BullMQ's job id: the row's stored job, waiting or running, covers it.
        } else if (e.running) {
          // Like BullMQ's `keepLastIfActive`: run once more afterwards, never beside it.
          e.again = w
        } else if (e.timer !== undefined) {
          // Like BullMQ's `reschedule` deduplication: the pending run moves to the new time.
          e.wakeUp = w
          e.runAt = runAtOf(w, Date.now())
          schedule(e)
        }
      },
      /** Drops the waiting wake-ups `matches` picks; a running one only loses its rerun. */
      forget(matches: (w: WakeUp) => boolean): number {
        let removed = 0
        for (const [key, e] of entries) {
          if (e.again !== undefined && matches(e.again)) {
            e.again = undefined
            removed++
          }
          if (e.running || !matches(e.wakeUp)) continue
          clearTimeout(e.timer)
          const i = ready.indexOf(e)
          if (i >= 0) ready.splice(i, 1)
          entries.delete(key)
          removed++
        }
        checkIdle()
        return removed
      },
      stop() {
        for (const e of entries.values()) clearTimeout(e.timer)
        clearTimeout(limiterTimer)
      },
    }
  }

  function checkIdle() {
    // busy() may scan a lane's entries: only worth it when someone waits.
    if (idleWaiters.length === 0 || [...lanes.values()].some((l) => l.busy())) return
    for (const w of idleWaiters.splice(0)) w()
  }

  return {
    mode: 'in-process',
    counts: async () => Object.fromEntries([...lanes].map(([q, l]) => [q, l.counts()])) as Record<QueueName, JobCounts>,
    connected: () => false,
    start(p) {
      processors = p
      for (const l of lanes.values()) l.pump()
    },
    async dispatch(wakeUps) {
      for (const w of wakeUps) lanes.get(w.queue)!.dispatch(w)
    },
    async forget(rows) {
      const matches = isForgotten(rows)
      let removed = 0
      for (const l of lanes.values()) removed += l.forget(matches)
      return removed
    },
    stored: (queue) => lanes.get(queue)!.entries.size,
    idle: () => new Promise<void>((resolve) => {
      idleWaiters.push(resolve)
      setImmediate(checkIdle)
    }),
    abort: () => abort.abort(new Error('shutdown: in-flight jobs aborted')),
    close: async () => {
      closed = true
      for (const l of lanes.values()) l.stop()
      while ([...lanes.values()].some((l) => l.busy())) await new Promise<void>((r) => idleWaiters.push(r))
    },
  }
}
