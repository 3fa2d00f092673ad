import type { Logger } from 'pino'
import { startPeriodic } from '../lib/index.js'
import {
  claimWorkToRedispatch, findOverdueWork, markEnqueued, markLearningEnqueued, markTurnsEnqueued, releaseOutboundClaims, type Db, type OverdueWork,
} from '../store/index.js'
import { outboxWakeUp, type Dispatcher, type WakeUp } from '../queues/index.js'

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
  /**
   * A hand-off has waited for a person longer than HANDOFF_ALERT_MS of business time. Called
   * once per hand-off, with ids only (no personal data). The operations work routes it; by
   * default it is a warning in the log.
   */
  onHandoffAlert?: (alert: HandoffAlert) => void
}

export interface HandoffAlert {
  conversationId: number
  /** When the alert was due. */
  dueAt: Date
}

export interface Reconciler {
  /** One pass; resolves to how many wake-ups it sent (0 when another process holds the lock). */
  runOnce(): Promise<number>
  /**
   * After switching back to Redis (invariant 7): re-dispatches, once, every row due and not
   * done whose wake-up went out before `since`, in as many passes as it takes. Resolves to
   * how many wake-ups it sent.
   */
  catchUp(since: Date): Promise<number>
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
  const onHandoffAlert =
    options.onHandoffAlert ??
    ((alert: HandoffAlert) => log.warn({ conversationId: alert.conversationId, dueAt: alert.dueAt }, 'hand-off waiting for a person past HANDOFF_ALERT_MS'))
  let closing: Promise<void> | undefined

  async function pass(): Promise<number> {
    const at = now()
    const work = await findOverdueWork(options.db, at, options.afterMs, options.batchSize ?? 500)
    if (work === undefined) return 0
    for (const alert of work.handoffAlerts) {
      try {
        onHandoffAlert(alert)
      } catch (err) {
        log.warn({ err, conversationId: alert.conversationId }, 'hand-off alert hook failed')
      }
    }
    const sent = await send(work, at, new Date(at.getTime() - options.afterMs - 1))
    if (sent > 0) {
      log.info(
        { messages: work.messageIds.length, turns: work.turns.length, learning: work.learning.length, lifecycle: work.lifecycle.length, outbound: work.outbound.length },
        'reconciler re-dispatched overdue work',
      )
    }
    return sent
  }

  /**
   * Dispatches claimed rows; if the runtime refuses them, gives them back with the `stale`
   * stamp, which the next pass reads as "not enqueued".
   */
  async function send(work: OverdueWork, at: Date, stale: Date): Promise<number> {
    const wakeUps: WakeUp[] = [
      ...work.messageIds.map((messageId) => ({ queue: 'message-processing' as const, messageId })),
      ...work.turns.map((t) => ({ queue: 'ai-response' as const, conversationId: t.conversationId, runAt: t.turnDueAt })),
      ...work.learning.map((conversationId) => ({ queue: 'learning-tasks' as const, conversationId })),
      ...work.lifecycle.map((l) => ({ queue: 'nps-survey' as const, conversationId: l.conversationId, runAt: l.runAt })),
      ...work.outbound.map((conversationId) => outboxWakeUp(conversationId, at)),
    ]
    if (wakeUps.length === 0) return 0
    try {
      await options.dispatcher.dispatch(wakeUps, { revive: true })
    } catch (err) {
      await markEnqueued(options.db, work.messageIds, stale)
        .then(() => markTurnsEnqueued(options.db, work.turns.map((t) => t.conversationId), stale))
        .then(() => markLearningEnqueued(options.db, work.learning, stale))
        .then(() => releaseOutboundClaims(options.db, work.outbound, stale))
        .catch((releaseErr: unknown) => log.warn({ err: releaseErr }, 'could not give claimed rows back; they are due again after afterMs'))
      throw err
    }
    return wakeUps.length
  }

  let catching: Promise<number> | undefined
  async function catchUp(since: Date): Promise<number> {
    if (closing !== undefined) return 0
    const p = (catching ?? Promise.resolve(0)).catch(() => 0).then(() => catchUpPasses(since))
    catching = p
    return p
  }

  async function catchUpPasses(since: Date): Promise<number> {
    const limit = options.batchSize ?? 500
    let messages = 0
    let turns = 0
    for (;;) {
      const at = now()
      const work = await claimWorkToRedispatch(options.db, { since, now: at, limit })
      await send(work, at, new Date(Math.min(since.getTime(), at.getTime() - options.afterMs) - 1))
      messages += work.messageIds.length
      turns += work.turns.length
      if (work.messageIds.length < limit && work.turns.length < limit) break
    }
    log.info({ messages, turns }, 'reconciler re-dispatched the work of the outage')
    return messages + turns
  }

  const periodic = startPeriodic(pass, {
    intervalMs: options.intervalMs,
    onError: (err) => log.warn({ err }, 'reconciler pass failed; will try again'),
  })

  return {
    runOnce: periodic.runOnce,
    catchUp,
    close: () =>
      (closing ??= (async () => {
        // A failing pass was logged by whoever awaited it; closing only waits for it to end.
        await periodic.stop()
        await catching?.catch(() => {})
      })()),
  }
}
