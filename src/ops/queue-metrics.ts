import { JOB_STATES, QUEUE_NAMES, type JobCounts, type QueueHistory, type QueueInspector, type QueueName } from '../queues/index.js'
import type { JobStats, Percentiles } from './job-stats.js'
import type { WebhookLatency } from './metrics.js'

/** One queue in `GET /api/queue/metrics`. */
export interface QueueMetrics extends JobCounts {
  retried: number
  throughput: { '1m': number; '5m': number; '15m': number }
  waitMs: Percentiles
  processMs: Percentiles
}

/** The body of `GET /api/queue/metrics` (issue #11): every queue always present. */
export interface QueueMetricsBody {
  runtime: 'queues' | 'in-process'
  redis: { connected: boolean }
  queues: Record<QueueName, QueueMetrics>
  inbox: { unprocessed: number; turnsDue: number; oldestDueSeconds: number | null }
  webhook: WebhookLatency
}

export interface QueueMetricsSource {
  mode: 'queues' | 'in-process'
  inspector: QueueInspector
  stats: JobStats
  webhookLatency(): WebhookLatency
  inbox(): Promise<QueueMetricsBody['inbox']>
}

const ZERO: JobCounts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 }

/**
 * Assembles the queue metrics. States, totals and throughput come from the runtime where it
 * can say them for the whole cluster (Redis); retries and latency percentiles are this
 * process's. With Redis unreachable the answer still comes, within the runtime's bound:
 * `redis.connected: false`, the states at 0, and this process's own totals.
 */
export async function readQueueMetrics(source: QueueMetricsSource): Promise<QueueMetricsBody> {
  const [counts, history, inbox] = await Promise.all([
    source.inspector.counts().catch(() => undefined),
    source.inspector.history?.().catch(() => undefined),
    source.inbox(),
  ])
  const local = source.stats.snapshot()
  const queues = {} as Record<QueueName, QueueMetrics>
  for (const name of QUEUE_NAMES) {
    const c = counts?.[name] ?? ZERO
    const mine = local[name]
    const h: QueueHistory | undefined = history?.[name]
    const states = Object.fromEntries(JOB_STATES.map((s) => [s, c[s]])) as JobCounts
    queues[name] = {
      ...states,
      // Cluster-wide when the runtime keeps them (BullMQ's metrics), else what the runtime holds.
      completed: h?.completed ?? (counts === undefined ? mine.completed : c.completed),
      failed: h?.failed ?? (counts === undefined ? mine.failed : c.failed),
      retried: mine.retried,
      throughput: h === undefined ? mine.throughput : throughputOf(h.completedPerMinute),
      waitMs: mine.waitMs,
      processMs: mine.processMs,
    }
  }
  return { runtime: source.mode, redis: { connected: source.inspector.connected() }, queues, inbox, webhook: source.webhookLatency() }
}

function throughputOf(perMinute: number[]): QueueMetrics['throughput'] {
  const avg = (minutes: number) => Math.round((perMinute.slice(0, minutes).reduce((a, b) => a + b, 0) / minutes) * 100) / 100
  return { '1m': avg(1), '5m': avg(5), '15m': avg(15) }
}
