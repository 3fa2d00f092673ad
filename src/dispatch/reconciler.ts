import type { Logger } from 'pino'
import { findOverdueWork, markEnqueued, markTurnsEnqueued, type Db } from '../store/index.js'
import type { Dispatcher, WakeUp } from '../queues/index.js'

export interface ReconcilerOptions {
  db: Db
  dispatcher: Dispatcher
  log: Logger
  /** Work due and not done for this long is dispatched again. */
  afterMs: number
  /** How often to look. */
  intervalMs: number
  /** Most rows of each kind per pass. @defaultValue 500 */
  batchSize?: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface Reconciler {
  /** One pass; resolves to how many wake-ups it sent (0 when another process holds the lock). */
  runOnce(): Promise<number>
  close(): Promise<void>
}

/**
 * Redis only distributes work; the database says what is due. This loop re-dispatches
 * whatever the columns say is overdue: a wake-up lost to a Redis restart, a failed job, an
 * enqueue that failed after the webhook's commit.
 */
export function createReconciler(options: ReconcilerOptions): Reconciler {
  const now = options.now ?? (() => new Date())
  const log = options.log.child({ component: 'reconciler' })
  let running: Promise<number> | undefined
  let closing: Promise<void> | undefined

  async function pass(): Promise<number> {
    const at = now()
    const work = await findOverdueWork(options.db, at, options.afterMs, options.batchSize ?? 500)
    if (work === undefined) return 0
    const wakeUps: WakeUp[] = [
      ...work.messageIds.map((messageId) => ({ queue: 'message-processing' as const, messageId })),
      ...work.turns.map((t) => ({ queue: 'ai-response' as const, conversationId: t.conversationId, runAt: t.turnDueAt })),
    ]
    if (wakeUps.length === 0) return 0
    try {
      await options.dispatcher.dispatch(wakeUps, { revive: true })
    } catch (err) {
      // The rows were claimed (stamped enqueued at `at`); give them back so the next pass
      // takes them again: any stamp older than afterMs reads as "not enqueued" to it.
      const stale = new Date(at.getTime() - options.afterMs - 1)
      await markEnqueued(options.db, work.messageIds, stale)
        .then(() => markTurnsEnqueued(options.db, work.turns.map((t) => t.conversationId), stale))
        .catch((releaseErr: unknown) => log.warn({ err: releaseErr }, 'could not give claimed rows back; they are due again after afterMs'))
      throw err
    }
    log.info({ messages: work.messageIds.length, turns: work.turns.length }, 'reconciler re-dispatched overdue work')
    return wakeUps.length
  }

  const runOnce = () => (running ??= pass().finally(() => (running = undefined)))

  const timer = setInterval(() => {
    void runOnce().catch((err) => log.warn({ err }, 'reconciler pass failed; will try again'))
  }, options.intervalMs)
  timer.unref()

  return {
    runOnce,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer)
        // A failing pass was logged by whoever awaited it; closing only waits for it to end.
        await running?.catch(() => {})
      })()),
  }
}
