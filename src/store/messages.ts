import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { ANALYSED_MEDIA } from './values.js'

export interface InboundMessageRow {
  id: number
  conversationId: number
  wamid: string
  seq: number
  type: string
  text: string | null
  media: Record<string, unknown> | null
  payload: Record<string, unknown> | null
  sentAt: Date | null
  processedAt: Date | null
  attempts: number
  phoneNumberId: string
  /** An image not analysed yet: image analysis, not this step, marks it processed and wakes the turn. */
  awaitsAnalysis: boolean
}

/** Records that wake-ups for these messages reached the runtime (the reconciler's clock starts here). */
export async function markEnqueued(db: Db, messageIds: readonly number[], now: Date): Promise<void> {
  if (messageIds.length === 0) return
  await db.execute(sql`update messages set enqueued_at = ${now} where id = ${anyId(messageIds)}`)
}

/**
 * Processes one inbound message's bookkeeping in one statement: marks it processed (counting
 * the attempt) unless it already was, stamps the turn's wake-up as sent when the conversation
 * has a turn due, and returns the message as it stood before, with that due time. An image
 * not yet analysed is left unprocessed and its turn unstamped: the turn cannot start before
 * the analysis, which marks the message processed and wakes the turn itself. The stamp
 * comes before the caller dispatches, as the reconciler stamps before it dispatches: should
 * the dispatch fail, the job's retry sends it again, and the reconciler's clock still runs
 * from `turn_due_at`, which is later. A redelivered wake-up only reads back the due time
 * (and stamps the wake-up again). Undefined: no such inbound message.
 */
export async function processMessage(
  db: Db,
  id: number,
  now: Date,
): Promise<{ message: InboundMessageRow; turnDueAt: Date | null } | undefined> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`with target as (
          select m.id, m.conversation_id, m.wamid, m.seq, m.type, m.text, m.media, m.payload, m.sent_at,
                 m.processed_at, m.attempts, c.phone_number_id,
                 (${ANALYSED_MEDIA} and m.analysis is null and m.processed_at is null) as awaits_analysis
          from messages m join conversations c on c.id = m.conversation_id
          where m.id = ${id} and m.direction = 'in'),
        processed as (
          update messages m set attempts = m.attempts + 1, processed_at = ${now}, updated_at = ${now}
          where m.id = ${id} and m.direction = 'in' and m.processed_at is null
            and not (${ANALYSED_MEDIA} and m.analysis is null)
          returning m.id),
        -- By key, not by a join on the CTE: the planner cannot see through a CTE's key.
        stamped as (
          update conversations c set turn_enqueued_at = ${now}
          where c.id = (select t.conversation_id from target t where not t.awaits_analysis) and c.turn_due_at is not null
          returning c.turn_due_at)
        select t.*, t.attempts + (select count(*) from processed)::int as counted_attempts,
               (select turn_due_at from stamped) as turn_due_at
        from target t`,
  )
  const r = rows[0]
  if (r === undefined) return undefined
  return {
    message: {
      id: Number(r.id),
      conversationId: Number(r.conversation_id),
      wamid: r.wamid as string,
      seq: r.seq as number,
      type: r.type as string,
      text: r.text as string | null,
      media: r.media as Record<string, unknown> | null,
      payload: r.payload as Record<string, unknown> | null,
      sentAt: toDate(r.sent_at),
      processedAt: toDate(r.processed_at),
      attempts: r.counted_attempts as number,
      phoneNumberId: r.phone_number_id as string,
      awaitsAnalysis: r.awaits_analysis === true,
    },
    turnDueAt: toDate(r.turn_due_at),
  }
}

/**
 * `= any($n::bigint[])` over these ids: one statement text whatever their number, so it is
 * prepared once per connection (an `in ($2, $3, ...)` list is a new statement for each count).
 */
export function anyId(values: readonly number[]) {
  return sql`any(${sql.param([...values])}::bigint[])`
}

export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null
  return v instanceof Date ? v : new Date(v as string)
}
