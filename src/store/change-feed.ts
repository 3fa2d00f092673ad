import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { toDate } from './messages.js'

/** Most changed conversations one poll returns; a busier interval is caught up by the next polls. */
export const CHANGES_PER_POLL = 500

export interface ConversationChange {
  conversationId: number
  /** The newest `updated_at` of the conversation or any of its messages. */
  updatedAt: Date
}

export interface ChangesSince {
  changes: ConversationChange[]
  /** The database's clock when it answered: the next poll's reference, whatever this process's clock says. */
  now: Date
}

/**
 * Conversations whose row or messages changed after `since`, oldest change first: what the
 * dashboard's live views (inbox, simulator) re-read. Both `updated_at` columns are indexed;
 * every write of a conversation or a message sets them (ingest, turns, outbox, statuses).
 */
export async function conversationsChangedSince(db: Db, since: Date): Promise<ChangesSince> {
  const rows = await queryRows<{ conversation_id: unknown; updated_at: unknown; now: unknown }>(
    db,
    sql`select conversation_id, max(updated_at) as updated_at, now() as now from (
          select id as conversation_id, updated_at from conversations where updated_at > ${since}
          union all
          select conversation_id, updated_at from messages where updated_at > ${since}
        ) changed
        group by conversation_id
        order by max(updated_at)
        limit ${CHANGES_PER_POLL}`,
  )
  if (rows.length === 0) {
    const [clock] = await queryRows<{ now: unknown }>(db, sql`select now() as now`)
    return { changes: [], now: toDate(clock!.now)! }
  }
  return {
    changes: rows.map((r) => ({ conversationId: Number(r.conversation_id), updatedAt: toDate(r.updated_at)! })),
    now: toDate(rows[0]!.now)!,
  }
}
