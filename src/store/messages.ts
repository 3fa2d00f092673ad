import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'

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
}

/** Records that wake-ups for these messages reached the runtime (the reconciler's clock starts here). */
export async function markEnqueued(db: Db, messageIds: readonly number[], now: Date): Promise<void> {
  if (messageIds.length === 0) return
  await db.execute(sql`update messages set enqueued_at = ${now} where id in ${ids(messageIds)}`)
}

/**
 * Starts processing one inbound message in one statement: counts the attempt in the
 * database (where an emptied Redis cannot reset it) unless the message was already
 * processed, and returns the message as it stands. Undefined: no such inbound message.
 */
export async function startProcessing(db: Db, id: number): Promise<InboundMessageRow | undefined> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`with counted as (
          update messages set attempts = attempts + 1, updated_at = now()
          where id = ${id} and direction = 'in' and processed_at is null
          returning id, attempts)
        select m.id, m.conversation_id, m.wamid, m.seq, m.type, m.text, m.media, m.payload, m.sent_at,
               m.processed_at, coalesce(counted.attempts, m.attempts) as attempts, c.phone_number_id
        from messages m join conversations c on c.id = m.conversation_id left join counted on counted.id = m.id
        where m.id = ${id} and m.direction = 'in'`,
  )
  const r = rows[0]
  if (r === undefined) return undefined
  return {
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
    attempts: r.attempts as number,
    phoneNumberId: r.phone_number_id as string,
  }
}

/**
 * Marks the message processed and, when its conversation has a turn due, stamps the turn's wake-up as sent
 * and returns the due time. The stamp comes just before the caller dispatches, as the
 * reconciler stamps before it dispatches: should the dispatch fail, the job's retry sends
 * it again, and the reconciler's clock still runs from `turn_due_at`, which is later.
 */
export async function finishProcessing(db: Db, id: number, now: Date): Promise<{ turnDueAt: Date | null }> {
  const [r] = await queryRows<{ turn_due_at: unknown }>(
    db,
    sql`with m as (
          update messages set processed_at = coalesce(processed_at, ${now}), updated_at = ${now}
          where id = ${id} returning conversation_id)
        update conversations c set turn_enqueued_at = ${now}
        from m where c.id = m.conversation_id and c.turn_due_at is not null
        returning c.turn_due_at`,
  )
  return { turnDueAt: toDate(r?.turn_due_at) }
}

export function ids(values: readonly number[]) {
  return sql`(${sql.join(values.map((v) => sql`${v}`), sql`, `)})`
}

export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null
  return v instanceof Date ? v : new Date(v as string)
}
