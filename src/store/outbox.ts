import { sql } from 'drizzle-orm'
import { storableText } from '../domain/index.js'
import { queryRows, type Db } from './db.js'
import { jsonText } from './values.js'

/**
 * pending → sending → sent | unknown | failed; `superseded` when a later turn (or a person
 * taking the conversation) covers its messages. `unknown`: the sender died or stalled between
 * calling Meta and recording the answer; never sent again, settled by the status webhook.
 */
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'unknown' | 'failed' | 'superseded'

/** What the AI decided with this reply; kept with the parts so a retried turn need not ask again. */
export interface ReplyMeta {
  department: string | undefined
  resolved: boolean
  handoff: boolean
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
 * Stores the reply parts of a turn (kind `reply`), keyed (conversation, seq, part), fenced by
 * the turn token, each with the next `outbound_seq` of the conversation. A retried turn that
 * already stored parts for the same `seq` gets those back instead, so a part already sent is
 * never sent again (invariant 6). One statement: the fence locks the conversation row, as the
 * turn's other writes do; only the holder of the current token writes parts, so the
 * statement's snapshot sees every part of this `seq`. A newer reply supersedes only pending
 * *reply* rows: an agent's message or a survey is never replaced by the bot.
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
  const n = input.parts.length
  const values = input.parts.map((text, i) => sql`(${first + i}::int, ${storableText(text)}::text, ${i + 1}::int)`)
  // No parts to store: the statement still fences and supersedes, as it did with parts.
  const rows = values.length === 0 ? sql`select null::int, null::text, null::int where false` : sql`values ${sql.join(values, sql`, `)}`
  const result = await queryRows<PartRow>(
    db,
    sql`with fence as (
          select id from conversations where id = ${c} and turn_token = ${input.token} for update),
        existing as (
          select id, part, text, provider_status, wamid, payload from messages
          where conversation_id = ${c} and kind = 'reply' and seq = ${seq} and part >= ${first}
            and provider_status <> 'superseded' and exists (select 1 from fence)),
        numbered as (
          update conversations set last_outbound_seq = last_outbound_seq + ${n}
          where id = ${c} and exists (select 1 from fence) and not exists (select 1 from existing)
          returning last_outbound_seq - ${n} as base),
        inserted as (
          insert into messages (conversation_id, direction, kind, seq, part, outbound_seq, type, text, payload, provider_status,
                                turn_token, created_at, updated_at)
          select ${c}, 'out', 'reply', ${seq}, v.part, b.base + v.i, 'text', v.text, ${meta}::jsonb, 'pending', ${input.token}, ${now}, ${now}
          from (${rows}) as v(part, text, i) cross join numbered b
          returning id, part, text, provider_status, wamid, payload),
        -- Unsent parts this reply replaces: an earlier reply covering fewer messages, or, for an
        -- apology, the reply that could not be sent.
        superseded as (
          update messages set provider_status = 'superseded', updated_at = ${now}
          where conversation_id = ${c} and kind = 'reply' and provider_status = 'pending'
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
    meta: { department: r.payload?.department ?? undefined, resolved: r.payload?.resolved ?? false, handoff: r.payload?.handoff ?? false },
  }
}

/** A send begun: its attempt number fences the mark-sent that follows. */
export type BeginSendResult = { kind: 'begun'; attempt: number } | { kind: 'leaseLost' }

/**
 * Moves a pending reply part to `sending` only while the turn still holds the lease with this
 * token: the fence that stops a stalled worker from sending after another took over. Only a
 * `pending` part: one left `sending` by a turn that died is `unknown` (openTurn says so), and
 * is never sent again. The part records the token and the attempt that began it, which
 * fence {@link markSent}.
 */
export async function beginSend(db: Db, input: { partId: number; conversationId: number; token: number; now: Date }): Promise<BeginSendResult> {
  const [r] = await queryRows<{ attempts: number }>(
    db,
    sql`update messages set provider_status = 'sending', attempts = attempts + 1, turn_token = ${input.token}, updated_at = ${input.now}
        where id = ${input.partId} and provider_status = 'pending'
          and exists (select 1 from conversations c where c.id = ${input.conversationId}
                      and c.turn_token = ${input.token} and c.lease_until > ${input.now})
        returning attempts`,
  )
  return r === undefined ? { kind: 'leaseLost' } : { kind: 'begun', attempt: r.attempts }
}

export type SendFailure = 'pending' | 'failed' | 'unknown'

/** What a failed send leaves its row as: see {@link markSendFailed}. */
export function sendFailureOf(err: { retryable: boolean; mayHaveSent?: boolean }): SendFailure {
  if (err.mayHaveSent === true) return 'unknown'
  return err.retryable ? 'pending' : 'failed'
}

/** Which send attempt Meta answered: the part, its attempt, and for a bot reply the turn's token. */
export interface SendAttempt {
  partId: number
  attempt: number
  /** Bot replies: the turn token that began the send. Undefined for the outbox sender's rows. */
  token?: number | undefined
}

/**
 * Records Meta's wamid for the attempt that sent it, fenced: a late answer to an attempt that
 * is no longer the part's (another attempt began after it went back to pending) changes
 * nothing. It still records a send whose turn lost its lease meanwhile, or that another turn
 * declared `unknown`: Meta did accept it. A status webhook may have raced ahead and set a
 * later status; that is kept. False: the fence refused it.
 */
export async function markSent(db: Db, sent: SendAttempt & { wamid: string }, now: Date): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`update messages set wamid = coalesce(wamid, ${sent.wamid}), sent_at = ${now}, updated_at = ${now},
               provider_status = case when provider_status in ('sending', 'unknown') then 'sent' else provider_status end
        where id = ${sent.partId} and attempts = ${sent.attempt} and provider_status not in ('pending', 'superseded')
          and (${sent.token ?? null}::bigint is null or turn_token = ${sent.token ?? null}::bigint)
        returning id`,
  )
  return rows.length > 0
}

/**
 * `pending`: surely not sent, may be sent again by a retry. `failed`: Meta refused it for
 * good. `unknown`: it may have reached Meta (a timeout, a lost connection); never sent again,
 * the status webhook settles it. Fenced like {@link markSent}.
 */
export async function markSendFailed(db: Db, failed: SendAttempt & { status: SendFailure; error: unknown }, now: Date): Promise<void> {
  await db.execute(
    sql`update messages set provider_status = ${failed.status}, error = ${jsonText(failed.error)}::jsonb, updated_at = ${now}
        where id = ${failed.partId} and attempts = ${failed.attempt} and provider_status = 'sending'`,
  )
}

/**
 * Outbound rows whose send may have reached the customer without us knowing (`unknown`):
 * the only source of a duplicate or a loss (invariant 6), counted for the operator. A status
 * webhook settles them; the count is of those it has not settled yet.
 */
export async function countUnknownSends(db: Db, options: { conversationId?: number } = {}): Promise<number> {
  const c = options.conversationId
  const [r] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from messages
        where direction = 'out' and provider_status = 'unknown' and (${c ?? null}::bigint is null or conversation_id = ${c ?? null}::bigint)`,
  )
  return r?.n ?? 0
}
