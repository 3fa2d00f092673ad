import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { QueueUnavailableError } from '../errors.js'
import { withTimeout } from '../lib/index.js'
import { QUEUE_NAMES, type JobCounts, type QueueHistory, type QueueInspector, type QueueName } from '../queues/index.js'

export interface BullmqInspectorOptions {
  /** The producer's queues (`createBullmqDispatcher(...).queues`). */
  queues: ReadonlyMap<QueueName, Queue>
  /** The producer connection: `connected()` reads its state. */
  connection: Redis
  /** REDIS_COMMAND_TIMEOUT_MS: a hung Redis never holds a metrics request longer. */
  timeoutMs: number
  /** @defaultValue Date.now */
  now?: () => number
}

/** Minutes of per-minute completions read for the 15-minute throughput. */
const MINUTES = 15

/**
 * The cluster's queues as Redis holds them: states from `getJobCounts`, totals and
 * throughput from the metrics every worker records (`metrics` in bullmq-workers.ts).
 */
export function createBullmqInspector(options: BullmqInspectorOptions): QueueInspector {
  const now = options.now ?? Date.now
  const each = async <T>(read: (q: Queue) => Promise<T>): Promise<Record<QueueName, T>> => {
    const entries = await withTimeout(
      Promise.all(QUEUE_NAMES.map(async (name) => [name, await read(options.queues.get(name)!)] as const)),
      options.timeoutMs,
      () => new QueueUnavailableError(`Redis did not answer the queue metrics within ${options.timeoutMs} ms`),
    )
    return Object.fromEntries(entries) as Record<QueueName, T>
  }
  return {
    connected: () => options.connection.status === 'ready',
    counts: () =>
      each(async (q): Promise<JobCounts> => {
        const c = await q.getJobCounts('waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'completed', 'failed')
        return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 }
      }),
    history: () =>
      each(async (q): Promise<QueueHistory> => {
        const [completed, failed] = await Promise.all([q.getMetrics('completed', 0, MINUTES), q.getMetrics('failed', 0, 0)])
        return { completed: completed.meta.count, failed: failed.meta.count, completedPerMinute: perMinute(completed, now()) }
      }),
  }
}

/**
 * BullMQ closes a minute's data point only when a later job finishes: the current minute
 * is `count − prevCount`, and minutes with no job since the last point are zeros.
 */
function perMinute(m: { meta: { count: number; prevTS: number; prevCount: number }; data: number[] }, at: number): number[] {
  const current = Math.max(0, m.meta.count - m.meta.prevCount)
  if (m.meta.prevTS === 0) return [current]
  const idleMinutes = Math.max(0, Math.floor(at / 60_000) - Math.floor(m.meta.prevTS / 60_000))
  if (idleMinutes >= MINUTES) return [0]
  return [idleMinutes === 0 ? current : 0, ...new Array<number>(Math.max(0, idleMinutes - 1)).fill(0), ...(idleMinutes === 0 ? [] : [current]), ...m.data].slice(0, MINUTES)
}
