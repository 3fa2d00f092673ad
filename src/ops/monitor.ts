import type { Logger } from 'pino'
import { QUEUE_NAMES, type QueueName } from '../config/index.js'
import { startPeriodic } from '../lib/index.js'
import type { Alerts } from './alerts.js'
import type { QueueJobCounts } from './metrics.js'

export interface OpsMonitorOptions {
  alerts: Alerts
  log: Logger
  /** Claims this round for this process (one process checks per round: `claimScheduledRun`). */
  claim(now: Date): Promise<boolean>
  /** Conversations handed off and unchanged since before the given time. */
  waitingHandoffs(before: Date): Promise<ReadonlyArray<{ conversationId: number; since: Date }>>
  /** The queues' job counts; undefined until a runtime provides them. */
  queueCounts?: () => Promise<QueueJobCounts>
  /**
   * Whether the counts are this process's own (the in-process runtime): then every process
   * alerts on its own backlog; cluster-wide counts (Redis) are alerted by the round's claimer only.
   */
  countsAreLocal?: boolean
  /** HANDOFF_ALERT_MS; 0: no hand-off alert. */
  handoffAlertMs: number
  /** ALERT_BACKLOG: jobs waiting in one queue that count as a backlog. */
  backlog: number
  /** ALERT_BACKLOG_SECONDS. */
  backlogSeconds: number
  /** @defaultValue 15_000 */
  intervalMs?: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface OpsMonitor {
  /** One round of checks; resolves to whether this process ran it. */
  runOnce(): Promise<boolean>
  close(): Promise<void>
}

/**
 * The alert rules that are conditions over time rather than events: a hand-off waiting too
 * long, a queue whose backlog stays high. Every process follows the backlog each round (so
 * each knows since when it lasts); one process per round, the claimer, raises the cluster's
 * alerts, so N processes do not send N copies.
 */
export function createOpsMonitor(options: OpsMonitorOptions): OpsMonitor {
  const now = options.now ?? (() => new Date())
  const log = options.log.child({ component: 'ops-monitor' })
  const backlogSince = new Map<QueueName, number>()
  let closing: Promise<void> | undefined

  async function round(): Promise<boolean> {
    const at = now()
    const overdue = options.queueCounts === undefined ? [] : backlogs(await options.queueCounts(), at.getTime())
    const claimed = await options.claim(at)
    if (claimed || options.countsAreLocal === true) {
      for (const d of overdue) options.alerts.raise('queue_backlog', { subject: d.queue, details: d })
    }
    if (!claimed) return false
    // HANDOFF_ALERT_MS=0: no hand-off alert.
    if (options.handoffAlertMs > 0) for (const h of await options.waitingHandoffs(new Date(at.getTime() - options.handoffAlertMs))) {
      const waitingMinutes = Math.floor((at.getTime() - h.since.getTime()) / 60_000)
      options.alerts.raise('handoff_waiting', { subject: String(h.conversationId), details: { conversationId: h.conversationId, waitingMinutes } })
    }
    return true
  }

  /** Queues whose backlog has lasted ALERT_BACKLOG_SECONDS, and the alert's details. */
  function backlogs(counts: QueueJobCounts, at: number) {
    const overdue: Array<{ queue: QueueName; waiting: number; threshold: number; forSeconds: number }> = []
    for (const queue of QUEUE_NAMES) {
      const waiting = counts[queue].waiting
      if (waiting <= options.backlog) {
        backlogSince.delete(queue)
        continue
      }
      const since = backlogSince.get(queue) ?? at
      backlogSince.set(queue, since)
      if (at - since >= options.backlogSeconds * 1000) {
        overdue.push({ queue, waiting, threshold: options.backlog, forSeconds: Math.round((at - since) / 1000) })
      }
    }
    return overdue
  }

  const periodic = startPeriodic(round, {
    intervalMs: options.intervalMs ?? 15_000,
    onError: (err) => log.warn({ err }, 'ops monitor round failed; will try again'),
  })

  return {
    runOnce: periodic.runOnce,
    close: () => (closing ??= periodic.stop()),
  }
}
