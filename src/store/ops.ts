import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'

/** A conversation handed to a person, and since when nothing has changed in it. */
export interface WaitingHandoff {
  conversationId: number
  since: Date
}

/**
 * Conversations in `handoff` whose last change is older than `before`, oldest first. The last
 * change stands for the hand-off's time: a customer writing again moves it (TODO #9: the
 * lifecycle's conversation_events give the hand-off's own time).
 */
export async function findWaitingHandoffs(db: Db, before: Date, limit: number): Promise<WaitingHandoff[]> {
  const rows = await queryRows<{ id: number | string; updated_at: Date | string }>(
    db,
    sql`select id, updated_at from conversations
        where status = 'handoff' and updated_at < ${before}::timestamptz
        order by updated_at limit ${limit}`,
  )
  return rows.map((r) => ({ conversationId: Number(r.id), since: new Date(r.updated_at) }))
}

/** The inbox as `/api/queue/metrics` shows it: work the database says is due. */
export interface InboxBacklog {
  /** Inbound messages not processed yet. */
  unprocessed: number
  /** Conversations whose turn is due now. */
  turnsDue: number
  /** How long the oldest due turn has been due (s); null when none is. */
  oldestDueSeconds: number | null
}

export async function inboxBacklog(db: Db, now: Date): Promise<InboxBacklog> {
  const [r] = await queryRows<{ unprocessed: number; turns_due: number; oldest: Date | string | null }>(
    db,
    sql`select (select count(*)::int from messages where processed_at is null and direction = 'in') as unprocessed,
               (select count(*)::int from conversations where turn_due_at <= ${now}::timestamptz) as turns_due,
               (select min(turn_due_at) from conversations where turn_due_at <= ${now}::timestamptz) as oldest`,
  )
  const oldest = r!.oldest === null ? null : Math.max(0, Math.floor((now.getTime() - new Date(r!.oldest).getTime()) / 1000))
  return { unprocessed: r!.unprocessed, turnsDue: r!.turns_due, oldestDueSeconds: oldest }
}
