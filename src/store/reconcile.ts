import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { markLearningEnqueued } from './learning.js'
import { anyId, markEnqueued, toDate } from './messages.js'
import { findOverdueLifecycle } from './lifecycle-timers.js'

/** Arbitrary constant shared by every Atende process: only one reconciler looks at a time. */
export const RECONCILER_LOCK_KEY = 7_401_245_002

export interface OverdueWork {
  /** Inbound messages not processed although they were due `afterMs` ago. */
  messageIds: number[]
  /** Conversations whose turn was due `afterMs` ago and is neither done nor running. */
  turns: Array<{ conversationId: number; turnDueAt: Date }>
  /** Conversations whose learning run was due `afterMs` ago and has not run (store/learning.ts). */
  learning: number[]
  /** Conversations whose idle, survey or survey-window timer was due `afterMs` ago (nps-survey wake-ups). */
  lifecycle: Array<{ conversationId: number; runAt: Date }>
  /**
   * Conversations whose outbound rows other than replies (agent, template, survey, menu) are
   * still pending `afterMs` after they were written, and whose outbox no sender holds: their
   * wake-up was lost (a crash between commit and enqueue, an emptied Redis).
   */
  outbound: number[]
  /** Hand-offs still waiting for a person past their alert time; their due time is cleared (one alert each). */
  handoffAlerts: Array<{ conversationId: number; dueAt: Date }>
}

/**
 * Reads what the database says is due and not done, under an advisory lock so that one
 * reconciler across all processes works at a time, and claims it: the rows are stamped
 * enqueued at `now` before the lock goes with the transaction, so a reconciler that takes
 * the lock next does not send them again. Undefined: another process holds the lock.
 */
export async function findOverdueWork(db: Db, now: Date, afterMs: number, limit: number): Promise<OverdueWork | undefined> {
  const cutoff = new Date(now.getTime() - afterMs)
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${RECONCILER_LOCK_KEY}) as locked`)
    if (lock?.locked !== true) return undefined
    const messages = await queryRows<{ id: string }>(
      tx,
      sql`select id from messages
          where processed_at is null and direction = 'in' and created_at < ${cutoff}
            and (enqueued_at is null or enqueued_at < ${cutoff})
          order by created_at limit ${limit}`,
    )
    const turns = await queryRows<{ id: string; turn_due_at: unknown }>(
      tx,
      sql`select id, turn_due_at from conversations
          where turn_due_at < ${cutoff} and lease_until < ${now}
            and (turn_enqueued_at is null or turn_enqueued_at < ${cutoff})
          order by turn_due_at limit ${limit}`,
    )
    const learning = await queryRows<{ conversation_id: string }>(
      tx,
      sql`select conversation_id from learning_records
          where due_at < ${cutoff} and (enqueued_at is null or enqueued_at < ${cutoff})
          order by due_at limit ${limit}`,
    )
    const lifecycle = await findOverdueLifecycle(tx, now, afterMs, limit)
    // Claimed by stamping the rows' enqueued_at, as inbound messages are.
    const outbound = await queryRows<{ conversation_id: string }>(
      tx,
      sql`with due as (
            select m.id, m.conversation_id from messages m join conversations c on c.id = m.conversation_id
            where m.direction = 'out' and m.kind <> 'reply' and m.provider_status = 'pending' and m.created_at < ${cutoff}
              and (m.enqueued_at is null or m.enqueued_at < ${cutoff}) and c.outbox_lease_until < ${now}
            order by m.created_at limit ${limit}),
          stamped as (update messages set enqueued_at = ${now} where id in (select id from due))
          select distinct conversation_id from due`,
    )
    // One alert per hand-off: the due time is cleared as it is claimed.
    const alerts = await queryRows<{ id: string; due_at: unknown }>(
      tx,
      sql`with due as (
            select id, handoff_alert_due_at from conversations
            where handoff_alert_due_at <= ${now} order by handoff_alert_due_at limit ${limit} for update skip locked)
          update conversations c set handoff_alert_due_at = null from due
          where c.id = due.id and c.status = 'handoff'
          returning c.id, due.handoff_alert_due_at as due_at`,
    )
    await tx.execute(sql`update conversations set handoff_alert_due_at = null where handoff_alert_due_at <= ${now} and status <> 'handoff'`)
    const work = {
      messageIds: messages.map((m) => Number(m.id)),
      turns: turns.map((t) => ({ conversationId: Number(t.id), turnDueAt: toDate(t.turn_due_at)! })),
      outbound: outbound.map((o) => Number(o.conversation_id)),
      handoffAlerts: alerts.map((a) => ({ conversationId: Number(a.id), dueAt: toDate(a.due_at)! })),
      learning: learning.map((l) => Number(l.conversation_id)),
      lifecycle,
    }
    await markEnqueued(tx, work.messageIds, now)
    await markTurnsEnqueued(tx, work.turns.map((t) => t.conversationId), now)
    await markLearningEnqueued(tx, work.learning, now)
    return work
  })
}

export async function markTurnsEnqueued(db: Db, conversationIds: readonly number[], now: Date): Promise<void> {
  if (conversationIds.length === 0) return
  await db.execute(sql`update conversations set turn_enqueued_at = ${now} where id = ${anyId(conversationIds)}`)
}

/** Gives claimed outbound rows back (their dispatch failed): any stamp older than the cutoff reads as not enqueued. */
export async function releaseOutboundClaims(db: Db, conversationIds: readonly number[], stale: Date): Promise<void> {
  if (conversationIds.length === 0) return
  await db.execute(
    sql`update messages set enqueued_at = ${stale}
        where conversation_id = ${anyId(conversationIds)} and direction = 'out' and kind <> 'reply' and provider_status = 'pending'`,
  )
}

/**
 * A hand-off the customer or the bot started waits for a person: its alert is due at
 * `dueAt` (HANDOFF_ALERT_MS of business time later, computed by the caller with the
 * domain's calendar). Only while the conversation is still in hand-off, and only the first
 * time: a repeated hand-off does not push the alert back.
 */
export async function scheduleHandoffAlert(db: Db, conversationId: number, dueAt: Date): Promise<void> {
  await db.execute(
    sql`update conversations set handoff_alert_due_at = ${dueAt}
        where id = ${conversationId} and status = 'handoff' and handoff_alert_due_at is null`,
  )
}
