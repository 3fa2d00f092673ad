import { Queue, type JobsOptions, type JobType } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { QueueUnavailableError } from '../errors.js'
import { createRepeatGate, releaseTogether, withTimeout } from '../lib/index.js'
import { CONNECTION_ERROR_LOG_INTERVAL_MS } from './redis-options.js'
import {
  isForgotten, jobKey, QUEUE_KINDS, QUEUE_NAMES, runAtOf,
  type Dispatcher, type DispatchOptions, type ForgetRows, type QueueName, type QueueSettings, type WakeUp,
} from '../queues/index.js'

export interface BullmqDispatcherOptions {
  /** The producer connection (see `redisOptions(config, 'producer')`); the caller closes it. */
  connection: Redis
  /** Key prefix of every queue; `{atende}` keeps a queue's keys in one Redis Cluster slot. */
  prefix: string
  queues: Readonly<Record<QueueName, QueueSettings>>
  log: Logger
}

export interface BullmqDispatcher extends Dispatcher {
  readonly queues: ReadonlyMap<QueueName, Queue>
  close(): Promise<void>
}

/** Completed jobs are only wake-ups: keep a few for the dashboard, then let Redis forget them. */
const REMOVE_ON_COMPLETE = { age: 3_600, count: 10_000 }
/** Failed jobs are evidence: keep them a week, bounded. */
const REMOVE_ON_FAIL = { age: 7 * 24 * 3_600, count: 50_000 }

export function createBullmqDispatcher(options: BullmqDispatcherOptions): BullmqDispatcher {
  // Each queue reports each failed reconnect while Redis is refused: one line a minute, with the count held back.
  const connectionErrors = createRepeatGate(CONNECTION_ERROR_LOG_INTERVAL_MS)
  const queues = new Map(
    QUEUE_NAMES.map((name) => {
      const s = options.queues[name]
      const queue = new Queue(name, {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: {
          attempts: s.attempts,
          backoff: { type: 'exponential', delay: s.backoffMs },
          removeOnComplete: REMOVE_ON_COMPLETE,
          removeOnFail: REMOVE_ON_FAIL,
        },
      })
      queue.on('error', (err) => connectionErrors((suppressed) => options.log.warn({ err, queue: name, suppressed }, 'queue connection error')))
      return [name, queue] as const
    }),
  )

  async function dispatch(wakeUps: readonly WakeUp[], opts: DispatchOptions = {}): Promise<void> {
    const byQueue = new Map<QueueName, WakeUp[]>()
    for (const w of wakeUps) byQueue.set(w.queue, [...(byQueue.get(w.queue) ?? []), w])
    try {
      await Promise.all(
        [...byQueue].map(async ([name, list]) => {
          const queue = queues.get(name)!
          await bounded(queue.waitUntilReady(), options.connection.options.commandTimeout)
          const jobs = list.map((w) => ({ name, ...toJob(w, Date.now()) }))
          const fresh = opts.revive === true ? await reviveFailed(queue, jobs) : jobs
          if (fresh.length > 0) await queue.addBulk(fresh)
        }),
      )
    } catch (err) {
      throw new QueueUnavailableError('could not enqueue wake-ups on Redis', { cause: err })
    }
  }

  async function forget(rows: ForgetRows): Promise<number> {
    if (rows.conversationIds.length === 0 && rows.messageIds.length === 0) return 0
    const matches = isForgotten(rows)
    try {
      let removed = 0
      for (const [name, queue] of queues) {
        await bounded(queue.waitUntilReady(), options.connection.options.commandTimeout)
        removed += await removeMatching(queue, name, matches)
      }
      return removed
    } catch (err) {
      throw new QueueUnavailableError('could not remove jobs from Redis', { cause: err })
    }
  }

  return {
    mode: 'queues',
    queues,
    dispatch,
    forget,
    close: () => releaseTogether([...queues.values()].map((q) => () => q.close())),
  }
}

/**
 * The producer's command timeout bounds each command, but not BullMQ's wait for the
 * connection's first `ready` before it sends any: a producer that has never reached Redis
 * (started while Redis was down) would hang there until Redis comes up. The same bound
 * applies to that wait; once the connection was ready it resolves at once.
 */
async function bounded<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return work
  return withTimeout(work, timeoutMs, () => new Error(`the Redis connection was not ready within ${timeoutMs} ms`))
}

/**
 * A job id only deduplicates while the job is stored: one sitting in `failed` turns a re-add
 * into a silent no-op. The reconciler's path retries such jobs and adds only the rest.
 */
async function reviveFailed<T extends { opts: JobsOptions }>(queue: Queue, jobs: T[]): Promise<T[]> {
  const rest: T[] = []
  for (const job of jobs) {
    const id = job.opts.jobId
    const existing = id === undefined ? undefined : await queue.getJob(id)
    if (existing === undefined) {
      rest.push(job)
    } else if ((await existing.getState()) === 'failed') {
      await existing.retry('failed')
    }
  }
  return rest
}

/** Every state a job is stored in but not running: running ones are locked and finish on their own. */
const STORED_STATES: JobType[] = ['waiting', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed']
const SCAN_PAGE = 500

/**
 * Removes the stored jobs whose wake-up `matches`. Job ids do not say which row a job is for
 * (turn jobs get generated ids), so the queue's jobs are read page by page and the matching
 * ones removed after the scan, which would otherwise shift the pages. An erase is rare; the
 * scan's cost is bounded by the queues' retention (REMOVE_ON_COMPLETE, REMOVE_ON_FAIL).
 */
async function removeMatching(queue: Queue, name: QueueName, matches: (w: WakeUp) => boolean): Promise<number> {
  const ids = new Set<string>()
  for (let start = 0; ; start += SCAN_PAGE) {
    // Each state is paged on its own: a page holds up to SCAN_PAGE jobs of every state.
    const page = await queue.getJobs(STORED_STATES, start, start + SCAN_PAGE - 1, true)
    if (page.length === 0) break
    for (const job of page) {
      if (job?.id !== undefined && matches({ queue: name, ...job.data } as WakeUp)) ids.add(job.id)
    }
  }
  let removed = 0
  for (const id of ids) removed += await queue.remove(id)
  return removed
}

/**
 * A wake-up as a BullMQ job: its ids as data, and `jobKey` as the job id (`row` queues) or
 * the deduplication id (`conversation` queues: a later wake-up moves a delayed job to its
 * time, and one arriving while the job runs is kept to run after it, never beside it).
 */
function toJob(w: WakeUp, now: number): { data: Record<string, number>; opts: JobsOptions } {
  const data: Record<string, number> = 'messageId' in w ? { messageId: w.messageId } : { conversationId: w.conversationId }
  const delay = Math.max(0, runAtOf(w, now) - now)
  if (QUEUE_KINDS[w.queue] === 'row') return { data, opts: { jobId: jobKey(w), ...(delay > 0 ? { delay } : {}) } }
  return { data, opts: { delay, deduplication: { id: jobKey(w), reschedule: true, keepLastIfActive: true } } }
}
