import { sql } from 'drizzle-orm'
import { storableText, type ReplySource } from '../domain/index.js'
import { queryRows, type Db } from './db.js'
import { jsonText } from './values.js'

/** pending → sending → sent | unknown | failed; `superseded` when a later turn covers its messages. */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'unknown' | 'failed' | 'superseded'

/** What the AI decided with this reply; kept with the parts so a retried turn need not ask again. */
export interface ReplyMeta {
  department: string | undefined
  resolved: boolean
  handoff: boolean
  /** Where the reply came from (learning reads it); undefined on rows written before it was kept. */
  source?: ReplySource | undefined
}

export interface OutboxPart {
  id: number
  part: number
  text: string
  status: OutboxStatus
  wamid: string | null
  meta: ReplyMeta
}

/** Apology parts are numbered from here, apart from the reply they replace. */
const APOLOGY_PART = 1000

/**
 * Stores the reply parts of a turn, keyed (conversation, seq, part), fenced by the turn
 * token. A retried turn that already stored parts for the same `seq` gets those back
 * instead, so a part already sent is never sent again (invariant 6). One statement: the
 * fence locks the conversation row, as the turn's other writes do; only the holder of the
 * current token writes parts, so the statement's snapshot sees every part of this `seq`.
 */
export async function prepareReply(
  db: Db,
  input: {
    conversationId: number
    token: number
    seq: number
    parts: readonly string[]
    meta: ReplyMeta
    /** The last-attempt apology: replaces the unsent parts of the reply. @defaultValue false */
    apology?: boolean
    now: Date
  },
): Promise<OutboxPart[]> {
  const first = input.apology === true ? APOLOGY_PART : 0
  const { conversationId: c, seq, now } = input
  const meta = jsonText(input.meta)
  const values = input.parts.map((text, i) => sql`(${first + i}::int, ${storableText(text)}::text)`)
  // No parts to store: the statement still fences and supersedes, as it did with parts.
  const rows = values.length === 0 ? sql`select null::int, null::text where false` : sql`values ${sql.join(values, sql`, `)}`
  const result = await queryRows<PartRow>(
    db,
    sql`with fence as (
          select id from conversations where id = ${c} and turn_token = ${input.token} for update),
        existing as (
          select id, part, text, provider_status, wamid, payload from messages
          where conversation_id = ${c} and direction = 'out' and seq = ${seq} and part >= ${first}
            and provider_status <> 'superseded' and exists (select 1 from fence)),
        inserted as (
          insert into messages (conversation_id, direction, seq, part, type, text, payload, provider_status, turn_token, created_at, updated_at)
          select ${c}, 'out', ${seq}, v.part, 'text', v.text, ${meta}::jsonb, 'pending', ${input.token}, ${now}, ${now}
          from (${rows}) as v(part, text)
          where exists (select 1 from fence) and not exists (select 1 from existing)
          returning id, part, text, provider_status, wamid, payload),
        -- Unsent parts this reply replaces: an earlier reply covering fewer messages, or, for an
        -- apology, the reply that could not be sent.
        superseded as (
          update messages set provider_status = 'superseded', updated_at = ${now}
          where conversation_id = ${c} and direction = 'out' and provider_status = 'pending'
            and (seq < ${seq} or (seq = ${seq} and part < ${first}))
            and exists (select 1 from fence) and not exists (select 1 from existing))
        select * from existing union all select * from inserted order by part`,
  )
  return result.map(toPart)
}

/** An outbox row as SQL returns it (also from json, where the id is a number). */
export interface PartRow {
  id: string | number
  part: number
  text: string
  provider_status: OutboxStatus
  wamid: string | null
  payload: ReplyMeta | null
}

export function toPart(r: PartRow): OutboxPart {
  return {
    id: Number(r.id),
    part: r.part,
    text: r.text,
    status: r.provider_status,
    wamid: r.wamid,
    meta: {
      department: r.payload?.department ?? undefined,
      resolved: r.payload?.resolved ?? false,
      handoff: r.payload?.handoff ?? false,
      source: r.payload?.source ?? undefined,
    },
  }
}

/**
 * Moves a part to `sending` only while the turn still holds the lease with this token: the
 * fence that stops a stalled worker from sending after another took over.
 */
export async function beginSend(db: Db, input: { partId: number; conversationId: number; token: number; now: Date }): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update messages set provider_status = 'sending', attempts = attempts + 1, updated_at = ${input.now}
        where id = ${input.partId} and provider_status in ('pending', 'sending')
          and exists (select 1 from conversations c where c.id = ${input.conversationId}
                      and c.turn_token = ${input.token} and c.lease_until > ${input.now})
        returning id`,
  )
  return rows.length > 0
}

export async function markSent(db: Db, partId: number, wamid: string, now: Date): Promise<void> {
  // A status webhook may have raced ahead and set a later status; keep it.
  await db.execute(
    sql`update messages set wamid = ${wamid}, sent_at = ${now}, updated_at = ${now},
               provider_status = case when provider_status in ('sending', 'unknown', 'pending') then 'sent' else provider_status end
        where id = ${partId}`,
  )
}

/** `pending`: may be sent again by a retry. `failed`: Meta refused it for good. */
export async function markSendFailed(db: Db, partId: number, status: 'pending' | 'failed', error: unknown, now: Date): Promise<void> {
  await db.execute(
    sql`update messages set provider_status = ${status}, error = ${jsonText(error)}::jsonb, updated_at = ${now}
        where id = ${partId} and provider_status = 'sending'`,
  )
}
