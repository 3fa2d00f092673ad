import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { ids, markEnqueued, toDate } from './messages.js'

/** Arbitrary constant shared by every Atende process: only one reconciler looks at a time. */
export const RECONCILER_LOCK_KEY = 7_401_245_002

export interface OverdueWork {
  /** Inbound messages not processed although they were due `afterMs` ago. */
  messageIds: number[]
  /** Conversations whose turn was due `afterMs` ago and is neither done nor running. */
  turns: Array<{ conversationId: number; turnDueAt: Date }>
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
    const work = {
      messageIds: messages.map((m) => Number(m.id)),
      turns: turns.map((t) => ({ conversationId: Number(t.id), turnDueAt: toDate(t.turn_due_at)! })),
    }
    await markEnqueued(tx, work.messageIds, now)
    await markTurnsEnqueued(tx, work.turns.map((t) => t.conversationId), now)
    return work
  })
}

export async function markTurnsEnqueued(db: Db, conversationIds: readonly number[], now: Date): Promise<void> {
  if (conversationIds.length === 0) return
  await db.execute(sql`update conversations set turn_enqueued_at = ${now} where id in ${ids(conversationIds)}`)
}
