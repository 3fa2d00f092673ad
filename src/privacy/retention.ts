import type { Logger } from 'pino'
import { claimScheduledRun, ERASED_WAMID_KEEP_MS, purgeBatch, type Db, type PurgeTarget } from '../store/index.js'

export interface RetentionOptions {
  db: Db
  log: Logger
  /** `RETENTION_DAYS`: customer data older than this is purged; 0 keeps it (erased-wamid hashes still go after 7 days). */
  retentionDays: number
  /**
   * `ALERT_RETENTION_DAYS`: alerts (the `alerts` table, no customer data) older than this are
   * deleted on the same schedule, whatever `retentionDays` says. @defaultValue 30
   */
  alertRetentionDays?: number
  /** How often each process asks whether a purge is due. @defaultValue 300_000 (5 min) */
  checkIntervalMs?: number
  /** A purge runs at most this often across all processes. @defaultValue 3_600_000 (1 h) */
  runEveryMs?: number
  /** Most rows one statement deletes; a purge loops until a batch comes back short. @defaultValue 1_000 */
  batchSize?: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface RetentionReport {
  /** Rows purged per table. */
  removed: Record<PurgeTarget, number>
}

export interface Retention {
  /**
   * Purges once if a purge is due (the last run, kept in the database, is `runEveryMs` old).
   * Undefined: not due, or another process is purging.
   */
  runOnce(): Promise<RetentionReport | undefined>
  close(): Promise<void>
}

const DAY_MS = 24 * 60 * 60 * 1000
/** Matches ALERT_RETENTION_DAYS' default (src/config/env-ops.ts). */
const DEFAULT_ALERT_RETENTION_DAYS = 30
const TASK = 'retention'
/** Referencing rows before the rows they reference. */
const ORDER: readonly PurgeTarget[] = ['messages', 'status_events', 'quarantine', 'outgoing_events', 'conversation_events', 'nps_surveys', 'learning_proposals', 'learning_records', 'conversations', 'contacts']

/**
 * The retention schedule. Its state lives in the database (`scheduled_runs`), so a restart
 * neither skips nor repeats a purge, and of several processes one purges (the claim is one
 * row; each batch also takes an advisory lock). An in-memory timer only decides when to ask.
 */
export function createRetention(options: RetentionOptions): Retention {
  const log = options.log.child({ component: 'retention' })
  const now = options.now ?? (() => new Date())
  const batchSize = options.batchSize ?? 1_000
  const alertRetentionDays = options.alertRetentionDays ?? DEFAULT_ALERT_RETENTION_DAYS
  let running: Promise<RetentionReport | undefined> | undefined
  let closing: Promise<void> | undefined
  let closed = false

  async function purge(target: PurgeTarget, cutoff: Date, at: Date): Promise<number | undefined> {
    let total = 0
    while (!closed) {
      const n = await purgeBatch(options.db, target, cutoff, at, batchSize)
      if (n === undefined) return undefined
      total += n
      if (n < batchSize) break
    }
    return total
  }

  async function pass(): Promise<RetentionReport | undefined> {
    const at = now()
    if (!(await claimScheduledRun(options.db, TASK, at, options.runEveryMs ?? 60 * 60 * 1000))) return undefined
    const removed: Record<PurgeTarget, number> = {
      messages: 0, status_events: 0, quarantine: 0, outgoing_events: 0, conversation_events: 0, nps_surveys: 0, learning_proposals: 0, learning_records: 0, conversations: 0, contacts: 0, erased_wamids: 0, alerts: 0,
    }
    const steps: Array<[PurgeTarget, Date]> = [
      ...(options.retentionDays > 0 ? ORDER.map((t): [PurgeTarget, Date] => [t, new Date(at.getTime() - options.retentionDays * DAY_MS)]) : []),
      ['erased_wamids', new Date(at.getTime() - ERASED_WAMID_KEEP_MS)],
      ['alerts', new Date(at.getTime() - alertRetentionDays * DAY_MS)],
    ]
    for (const [target, cutoff] of steps) {
      const n = await purge(target, cutoff, at)
      if (n === undefined) {
        log.info({ target }, 'another process is purging; this one stops')
        return undefined
      }
      removed[target] = n
    }
    const any = Object.values(removed).some((n) => n > 0)
    log[any ? 'info' : 'debug']({ removed, retentionDays: options.retentionDays, alertRetentionDays }, 'retention purge done')
    return { removed }
  }

  const runOnce = () => (running ??= pass().finally(() => (running = undefined)))
  const tick = () => void runOnce().catch((err: unknown) => log.warn({ err }, 'retention purge failed; will try again'))
  const timer = setInterval(tick, options.checkIntervalMs ?? 5 * 60 * 1000)
  timer.unref()

  return {
    runOnce,
    close: () =>
      (closing ??= (async () => {
        closed = true
        clearInterval(timer)
        // A failing pass was logged by whoever awaited it; closing only waits for it to end.
        await running?.catch(() => {})
      })()),
  }
}
