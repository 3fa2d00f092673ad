import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { ANALYSED_MEDIA, jsonText, nullableText } from './values.js'
import { toDate } from './messages.js'

/** An inbound picture or voice note as its analysis needs it. */
export interface ImageToAnalyse {
  id: number
  type: 'image' | 'audio' | 'document'
  conversationId: number
  phoneNumberId: string
  media: { id?: string; mimeType?: string; caption?: string } | null
  /** Tries so far, this one included: counted in the database, as an empty Redis resets BullMQ's count. */
  attempts: number
  /** Already analysed (a redelivered wake-up): nothing to do. */
  done: boolean
}

/**
 * Counts an analysis attempt and reads the image. Undefined: no such inbound image. The
 * count moves only while the image is unanalysed, so a redelivered wake-up costs nothing.
 */
export async function beginImageAnalysis(db: Db, id: number, now: Date): Promise<ImageToAnalyse | undefined> {
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`with counted as (
          update messages m set attempts = m.attempts + 1, updated_at = ${now}
          where m.id = ${id} and m.direction = 'in' and ${ANALYSED_MEDIA} and m.processed_at is null
          returning m.attempts)
        select m.id, m.type, m.conversation_id, m.media, m.processed_at, c.phone_number_id,
               coalesce((select attempts from counted), m.attempts) as attempts
        from messages m join conversations c on c.id = m.conversation_id
        where m.id = ${id} and m.direction = 'in' and ${ANALYSED_MEDIA}`,
  )
  if (r === undefined) return undefined
  return {
    id: Number(r.id),
    type: r.type as ImageToAnalyse['type'],
    conversationId: Number(r.conversation_id),
    phoneNumberId: r.phone_number_id as string,
    media: r.media as ImageToAnalyse['media'],
    attempts: r.attempts as number,
    done: r.processed_at !== null,
  }
}

/**
 * Records the analysis and marks the message processed, once: the turn waits for exactly this.
 * `text`, a voice note's transcript, becomes the message's text: the customer's words.
 * Stamps the turn's wake-up as sent when one is due, as `processMessage` does, and returns
 * that due time for the caller to dispatch. Undefined: the image was already analysed.
 */
export async function completeImageAnalysis(
  db: Db,
  id: number,
  analysis: unknown,
  now: Date,
  text?: string,
): Promise<{ turnDueAt: Date | null } | undefined> {
  const [r] = await queryRows<{ recorded: number; turn_due_at: unknown }>(
    db,
    sql`with done as (
          update messages m set analysis = ${jsonText(analysis)}::jsonb, processed_at = ${now}, updated_at = ${now},
            text = coalesce(${nullableText(text)}::text, m.text)
          where m.id = ${id} and m.direction = 'in' and m.processed_at is null
          returning m.conversation_id),
        stamped as (
          update conversations c set turn_enqueued_at = ${now}
          where c.id = (select d.conversation_id from done d) and c.turn_due_at is not null
          returning c.turn_due_at)
        select (select count(*) from done)::int as recorded, (select turn_due_at from stamped) as turn_due_at`,
  )
  if (r === undefined || r.recorded === 0) return undefined
  return { turnDueAt: toDate(r.turn_due_at) }
}
