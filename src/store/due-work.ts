import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { markEnqueued, toDate } from './messages.js'
import { markTurnsEnqueued, RECONCILER_LOCK_KEY, type OverdueWork } from './reconcile.js'

export interface DueWork {
  /** Inbound messages not processed yet and claimed by no process; images not analysed yet are flagged. */
  messages: Array<{ id: number; awaitsAnalysis: boolean }>
  /** Conversations whose turn is due by `horizon` and whose lease is free. */
  turns: Array<{ conversationId: number; turnDueAt: Date }>
}

export interface FindDueWorkInput {
  now: Date
  /** Turns due up to this time are included (the caller schedules them at their time). */
  horizon: Date
  limit: number
  /**
   * The job key prefixes of a message's two jobs (`msg-`, `img-`):
   * the queue contract owns the key's shape, the claims table stores it.
   */
  keyPrefixes: { processing: string; analysis: string }
}

/**
 * What is due now, for a process serving from the database while Redis is unreachable
 * (invariant 7). Unlike the reconciler it ignores the enqueue stamps (a wake-up handed to a
 * Redis that then died, or to an `api` process that has no workers, is still work), and it
 * skips what a live claim or turn lease says some process runs right now.
 */
export async function findDueWork(db: Db, input: FindDueWorkInput): Promise<DueWork> {
  const { now, horizon, limit, keyPrefixes } = input
  const messages = await queryRows<{ id: string; awaits_analysis: boolean }>(
    db,
    sql`select m.id, (m.type = 'image' and m.analysis is null) as awaits_analysis
        from messages m
        where m.processed_at is null and m.direction = 'in'
          and not exists (
            select 1 from work_claims w
            where w.key in (${keyPrefixes.processing} || m.id::text, ${keyPrefixes.analysis} || m.id::text)
              and w.until > ${now})
        order by m.created_at limit ${limit}`,
  )
  const turns = await queryRows<{ id: string; turn_due_at: unknown }>(
    db,
    sql`select id, turn_due_at from conversations
        where turn_due_at <= ${horizon} and lease_until < ${now}
        order by turn_due_at limit ${limit}`,
  )
  return {
    messages: messages.map((m) => ({ id: Number(m.id), awaitsAnalysis: m.awaits_analysis === true })),
    turns: turns.map((t) => ({ conversationId: Number(t.id), turnDueAt: toDate(t.turn_due_at)! })),
  }
}

export interface RedispatchInput {
  /** The switch back to Redis: rows whose wake-up went out before it (or never) are sent again. */
  since: Date
  now: Date
  limit: number
}

/**
 * After an outage, claims every row that is due and not done and whose last wake-up went
 * out before `since` (to the Redis that was lost, to an in-process runtime that has just
 * drained, or nowhere), stamping it enqueued at `now`. Under the reconciler's advisory lock,
 * so no other reconciler pass takes the same rows meanwhile; the stamp is later than `since`,
 * so a second call takes the next rows, never the same ones. Turns due later are included:
 * their delayed wake-up was in the lost runtime too.
 */
export async function claimWorkToRedispatch(db: Db, input: RedispatchInput): Promise<OverdueWork> {
  const { since, now, limit } = input
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${RECONCILER_LOCK_KEY})`)
    const messages = await queryRows<{ id: string }>(
      tx,
      sql`select id from messages
          where processed_at is null and direction = 'in' and (enqueued_at is null or enqueued_at < ${since})
          order by created_at limit ${limit}`,
    )
    const turns = await queryRows<{ id: string; turn_due_at: unknown }>(
      tx,
      sql`select id, turn_due_at from conversations
          where turn_due_at is not null and lease_until < ${now}
            and (turn_enqueued_at is null or turn_enqueued_at < ${since})
          order by turn_due_at limit ${limit}`,
    )
    const work = {
      messageIds: messages.map((m) => Number(m.id)),
      turns: turns.map((t) => ({ conversationId: Number(t.id), turnDueAt: toDate(t.turn_due_at)! })),
      // The catch-up re-sends what the database feed served during the outage (messages and
      // turns); timers, learning runs and outbox rows are the regular pass's, after afterMs.
      learning: [],
      lifecycle: [],
      outbound: [],
      handoffAlerts: [],
    }
    await markEnqueued(tx, work.messageIds, now)
    await markTurnsEnqueued(tx, work.turns.map((t) => t.conversationId), now)
    return work
  })
}
