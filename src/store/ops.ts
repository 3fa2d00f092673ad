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
