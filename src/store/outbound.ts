/**
 * The outbox beyond the bot's replies (invariant 6): agent messages, surveys, menus and
 * templates. Each row gets the conversation's next `outbound_seq`, so however many are
 * written they never collide with each other or with a reply (replies keep their own key,
 * store/outbox.ts). They are sent by the outbox sender (workers/outbox-sender.ts), one
 * conversation at a time under its own lease, in `outbound_seq` order.
 */
import { sql } from 'drizzle-orm'
import { contentColumns, type OutboundContent } from '../domain/index.js'
import { IdempotencyKeyReusedError, InvalidOutboundContentError } from '../errors.js'
import { queryRows, type Db } from './db.js'
import { parseOutboundContent, type OutboundContentInput } from './outbound-content.js'
import type { OutboundKind } from './schema.js'
import type { OutboxStatus } from './outbox.js'
import { jsonText } from './values.js'

/** Longest an `Idempotency-Key` may be. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255

export interface QueueOutboundInput {
  conversationId: number
  kind: Exclude<OutboundKind, 'reply'>
  /** Validated here (zod); an invalid payload throws {@link InvalidOutboundContentError}. */
  content: OutboundContentInput | unknown
  /** Kept with the row: who wrote it (`{ agent: 'Carla' }`), which survey… No personal data beyond the message. */
  meta?: Record<string, unknown> | undefined
  /** The caller's `Idempotency-Key`, unique per conversation: a retried request queues the message once. */
  idempotencyKey?: string | undefined
  /**
   * A person speaks (an agent's message): the conversation becomes theirs (`handoff`), its turn
   * token is bumped and its pending bot reply superseded, in the same statement, so a bot turn
   * in the middle of its AI call can no longer send. @defaultValue false
   */
  takeOver?: boolean
  now: Date
}

export type QueueOutboundResult =
  | { kind: 'queued'; outboxId: number; outboundSeq: number }
  /** The key was seen before with the same message: nothing new is queued or sent. */
  | { kind: 'duplicate'; outboxId: number; outboundSeq: number; status: OutboxStatus }
  | { kind: 'notFound' }

interface QueuedRow {
  how: 'inserted' | 'existing'
  id: string
  outbound_seq: number
  provider_status: OutboxStatus
  same: boolean | null
}

/**
 * Queues one outbound message of any kind but `reply`, in one statement: numbers it, and for
 * an agent's message takes the conversation over (see {@link QueueOutboundInput.takeOver}).
 * With an idempotency key already used in this conversation it queues nothing and answers
 * the first row; the same key with another message is {@link IdempotencyKeyReusedError}.
 */
export async function queueOutbound(db: Db, input: QueueOutboundInput): Promise<QueueOutboundResult> {
  const parsed = parseOutboundContent(input.content)
  if (!parsed.ok) throw new InvalidOutboundContentError(parsed.issues)
  const key = input.idempotencyKey
  if (key !== undefined && (key === '' || key.length > MAX_IDEMPOTENCY_KEY_CHARS)) {
    throw new InvalidOutboundContentError([`Idempotency-Key: expected 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters, got ${key.length}`])
  }
  const first = await insertOutbound(db, input, parsed.content)
  // A concurrent request with the same key committed between our snapshot and our insert:
  // the insert did nothing, and the row is there to read now.
  const rows = first.length > 0 || key === undefined ? first : await insertOutbound(db, input, parsed.content)
  const r = rows.find((x) => x.how === 'inserted') ?? rows[0]
  if (r === undefined) return { kind: 'notFound' }
  if (r.how === 'inserted') return { kind: 'queued', outboxId: Number(r.id), outboundSeq: r.outbound_seq }
  if (r.same !== true) throw new IdempotencyKeyReusedError()
  return { kind: 'duplicate', outboxId: Number(r.id), outboundSeq: r.outbound_seq, status: r.provider_status }
}

async function insertOutbound(db: Db, input: QueueOutboundInput, content: OutboundContent): Promise<QueuedRow[]> {
  const { conversationId: c, now } = input
  const key = input.idempotencyKey ?? null
  const takeOver = input.takeOver === true
  const cols = contentColumns(content)
  const body = jsonText(cols.content)
  return queryRows<QueuedRow>(
    db,
    sql`with existing as (
          select id, outbound_seq, provider_status, kind, type, text, content from messages
          where conversation_id = ${c} and idempotency_key = ${key}::text),
        numbered as (
          update conversations set last_outbound_seq = last_outbound_seq + 1, updated_at = ${now},
                 turn_token = turn_token + ${takeOver ? 1 : 0},
                 status = case when ${takeOver} then 'handoff' else status end,
                 lease_until = case when ${takeOver} then 'epoch'::timestamptz else lease_until end
          where id = ${c} and not exists (select 1 from existing)
          returning last_outbound_seq, last_seq),
        superseded as (
          update messages set provider_status = 'superseded', updated_at = ${now}
          where ${takeOver} and conversation_id = ${c} and kind = 'reply' and provider_status = 'pending'
            and exists (select 1 from numbered)),
        inserted as (
          insert into messages (conversation_id, direction, kind, seq, part, outbound_seq, type, text, content, payload,
                                idempotency_key, provider_status, created_at, updated_at)
          select ${c}, 'out', ${input.kind}, n.last_seq, 0, n.last_outbound_seq, ${cols.type}, ${cols.text}, ${body}::jsonb,
                 ${jsonText(input.meta)}::jsonb, ${key}::text, 'pending', ${now}, ${now}
          from numbered n
          on conflict (conversation_id, idempotency_key) where idempotency_key is not null do nothing
          returning id, outbound_seq, provider_status)
        select 'inserted' as how, id, outbound_seq, provider_status, null::boolean as same from inserted
        union all
        select 'existing', id, outbound_seq, provider_status,
               (kind = ${input.kind} and type = ${cols.type} and text is not distinct from ${cols.text}::text
                and content is not distinct from ${body}::jsonb) from existing`,
  )
}

/** A non-reply row as the outbox sender reads it. */
export interface OutboundRow {
  id: number
  kind: OutboundKind
  outboundSeq: number
  content: OutboundContent
}

export interface OutboxClaim {
  /** The sender's fencing token: {@link beginOutboundSend} presents it. */
  token: number
  phoneNumberId: string
  customer: { waId: string | null; userId: string | null }
  /** Rows left `sending` by a sender that died (or stalled past its lease), now `unknown`. */
  abandoned: number
  /** Pending rows to send, in `outbound_seq` order. */
  pending: OutboundRow[]
}

/**
 * Takes the conversation's outbox lease (one sender per conversation, so its rows leave in
 * order) and reads what is to send, in one statement. A row a previous holder left
 * `sending` becomes `unknown`: it may have reached Meta, so it is never sent again blindly;
 * its status webhook settles it. Undefined: another sender holds the lease, or no such
 * conversation.
 */
export async function claimOutbox(db: Db, input: { conversationId: number; now: Date; leaseMs: number }): Promise<OutboxClaim | undefined> {
  const { conversationId: c, now } = input
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`with claimed as (
          update conversations set outbox_token = outbox_token + 1, outbox_lease_until = ${new Date(now.getTime() + input.leaseMs)}
          where id = ${c} and outbox_lease_until < ${now}
          returning id, outbox_token, phone_number_id, contact_id),
        abandoned as (
          update messages set provider_status = 'unknown', updated_at = ${now}
          where conversation_id = ${c} and direction = 'out' and kind <> 'reply' and provider_status = 'sending'
            and exists (select 1 from claimed)
          returning id)
        select cl.outbox_token as token, cl.phone_number_id, k.wa_id, k.user_id,
               (select count(*) from abandoned)::int as abandoned,
               (select jsonb_agg(jsonb_build_object('id', o.id, 'kind', o.kind, 'outbound_seq', o.outbound_seq, 'type', o.type,
                                                    'text', o.text, 'content', o.content) order by o.outbound_seq)
                from messages o where o.conversation_id = ${c} and o.direction = 'out' and o.kind <> 'reply'
                  and o.provider_status = 'pending') as pending
        from claimed cl join contacts k on k.id = cl.contact_id`,
  )
  if (r === undefined) return undefined
  const pending = ((r.pending ?? []) as Record<string, unknown>[]).map((o) => ({
    id: Number(o.id),
    kind: o.kind as OutboundKind,
    outboundSeq: o.outbound_seq as number,
    content: contentOf(o.type as string, o.text as string | null, o.content),
  }))
  return {
    token: Number(r.token),
    phoneNumberId: r.phone_number_id as string,
    customer: { waId: r.wa_id as string | null, userId: r.user_id as string | null },
    abandoned: r.abandoned as number,
    pending,
  }
}

/** The payload back from its columns (domain's `contentColumns`, reversed); validated on the way in. */
function contentOf(type: string, text: string | null, content: unknown): OutboundContent {
  if (type === 'template') return { type: 'template', template: content as Extract<OutboundContent, { type: 'template' }>['template'] }
  if (type === 'interactive') return { type: 'interactive', interactive: content as Extract<OutboundContent, { type: 'interactive' }>['interactive'] }
  return { type: 'text', text: text ?? '' }
}

/**
 * Moves a pending row to `sending` while the sender still holds the outbox lease with this
 * token. Undefined: the lease was lost (or the row is no longer pending); the sender stops.
 */
export async function beginOutboundSend(
  db: Db,
  input: { rowId: number; conversationId: number; token: number; now: Date },
): Promise<{ attempt: number } | undefined> {
  const [r] = await queryRows<{ attempts: number }>(
    db,
    sql`update messages set provider_status = 'sending', attempts = attempts + 1, updated_at = ${input.now}
        where id = ${input.rowId} and provider_status = 'pending'
          and exists (select 1 from conversations c where c.id = ${input.conversationId}
                      and c.outbox_token = ${input.token} and c.outbox_lease_until > ${input.now})
        returning attempts`,
  )
  return r === undefined ? undefined : { attempt: r.attempts }
}

/** Gives the outbox lease back, fenced by the token. */
export async function releaseOutbox(db: Db, conversationId: number, token: number): Promise<void> {
  await db.execute(sql`update conversations set outbox_lease_until = 'epoch' where id = ${conversationId} and outbox_token = ${token}`)
}

/** Conversations with outbound rows (not replies) waiting to be sent: the reconciler's view. */
export async function findPendingOutbound(db: Db, limit: number): Promise<number[]> {
  const rows = await queryRows<{ conversation_id: string }>(
    db,
    sql`select distinct conversation_id from messages
        where direction = 'out' and kind <> 'reply' and provider_status = 'pending' limit ${limit}`,
  )
  return rows.map((r) => Number(r.conversation_id))
}

/**
 * Which of these conversations have outbound rows (not replies) waiting to be sent: one
 * indexed read for many conversations, so concurrent jobs can share it.
 */
export async function conversationsWithPendingOutbound(db: Db, conversationIds: readonly number[]): Promise<Set<number>> {
  const rows = await queryRows<{ conversation_id: string }>(
    db,
    sql`select distinct conversation_id from messages where conversation_id = any(${sql.param([...conversationIds])}::bigint[])
          and direction = 'out' and kind <> 'reply' and provider_status in ('pending', 'sending')`,
  )
  return new Set(rows.map((r) => Number(r.conversation_id)))
}
