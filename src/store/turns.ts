import { sql, type SQL } from 'drizzle-orm'
import type { DebounceSettings } from '../domain/index.js'
import { queryRows, type Db } from './db.js'
import type { ConversationStatus } from './schema.js'
import { toDate } from './messages.js'
import { toPart, type OutboxPart, type PartRow } from './outbox.js'

export interface TurnConversation {
  id: number
  phoneNumberId: string
  status: ConversationStatus
  department: string | null
  answeredSeq: number
  lastSeq: number
  turnDueAt: Date | null
  leaseUntil: Date
  turnAttempts: number
  unprocessed: number
  customer: { waId: string | null; userId: string | null }
}

/** A turn opened by {@link openTurn}: what it covers, read in the statement that claimed it. */
export interface TurnClaim {
  /** The fencing token every later write of the turn must present. */
  token: number
  /** This turn's attempt, counted in the database. */
  attempt: number
  /** Inbound messages the turn must cover (seq > answered), oldest first. */
  unanswered: TurnMessage[]
  /** Reply parts already stored for the last unanswered `seq` (a retried turn resumes from them). */
  replyParts: OutboxPart[]
  /** The last `historyLimit` messages in and out already covered by turns, oldest first. */
  history: TurnMessage[]
}

/**
 * Opens a turn in one statement: takes the lease (a new fencing token) when the turn is
 * due, the lease free and every unanswered message processed, and reads what the turn needs.
 * The reads go by the claimed row, so they cover exactly what is unanswered now; a message
 * committed after the statement's snapshot keeps its due time (completeTurn) and gets a turn
 * of its own. Undefined: no such conversation. No `claim`: the conversation row before the
 * attempt says why (not due, lease held, messages processing, or lost the race).
 */
export async function openTurn(
  db: Db,
  input: { conversationId: number; now: Date; leaseMs: number; historyLimit: number },
): Promise<{ conversation: TurnConversation; claim: TurnClaim | undefined } | undefined> {
  const { conversationId: id, now } = input
  const unprocessed = (c: SQL) => sql`select 1 from messages m where m.conversation_id = ${c}.id and m.direction = 'in'
      and m.seq > ${c}.answered_seq and m.processed_at is null`
  // Claimed: the row as the claim left it, which may be newer than the statement's snapshot.
  const fromClaim = (column: string) => sql.raw(`case when cl.id is null then c.${column} else cl.${column} end as ${column}`)
  const message = sql`jsonb_build_object('id', m.id, 'direction', m.direction, 'seq', m.seq, 'type', m.type, 'text', m.text,
      'wamid', m.wamid, 'sent_at', m.sent_at, 'created_at', m.created_at, 'analysis', m.analysis,
      'kind', m.kind, 'content', m.content, 'payload', m.payload)`
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`with claimed as (
          update conversations u set turn_token = u.turn_token + 1, turn_attempts = u.turn_attempts + 1,
                 lease_until = ${new Date(now.getTime() + input.leaseMs)}, updated_at = ${now}
          where u.id = ${id} and u.lease_until < ${now} and u.turn_due_at is not null and u.turn_due_at <= ${now}
            and not exists (${unprocessed(sql`u`)})
          returning u.*),
        -- A part left sending by an earlier turn (died, or stalled past its lease) may have
        -- reached Meta: it is unknown from now on, never sent again; its status webhook settles
        -- it (invariant 6). The reply parts read below still show it as sending, and the turn
        -- skips every part that is not pending.
        abandoned as (
          update messages set provider_status = 'unknown', updated_at = ${now}
          where conversation_id = ${id} and kind = 'reply' and provider_status = 'sending'
            and exists (select 1 from claimed))
        select c.id, c.phone_number_id, k.wa_id, k.user_id,
               ${fromClaim('status')}, ${fromClaim('department')}, ${fromClaim('answered_seq')}, ${fromClaim('last_seq')},
               ${fromClaim('turn_due_at')}, ${fromClaim('lease_until')}, ${fromClaim('turn_attempts')},
               (select count(*) from (${unprocessed(sql`c`)}) p)::int as unprocessed,
               cl.turn_token as token, cl.turn_attempts as attempt,
               (select jsonb_agg(${message} order by m.seq) from messages m
                where cl.id is not null and m.conversation_id = c.id and m.direction = 'in' and m.seq > cl.answered_seq) as unanswered,
               (select jsonb_agg(jsonb_build_object('id', o.id, 'part', o.part, 'text', o.text, 'provider_status', o.provider_status,
                                                    'wamid', o.wamid, 'payload', o.payload) order by o.part)
                from messages o
                where cl.id is not null and o.conversation_id = c.id and o.kind = 'reply' and o.provider_status <> 'superseded'
                  and o.seq = (select max(i.seq) from messages i
                               where i.conversation_id = c.id and i.direction = 'in' and i.seq > cl.answered_seq)) as reply_parts,
               -- History oldest first; within one seq the customer's message before what was sent
               -- after it, in the order it was written (outbound_seq), whoever sent it.
               (select jsonb_agg(h.message order by h.n desc) from (
                  select ${message} as message,
                         row_number() over (order by m.seq desc, m.direction desc, m.outbound_seq desc) as n
                  from messages m
                  where cl.id is not null and m.conversation_id = c.id and m.seq <= cl.answered_seq
                    and (m.direction = 'in' or m.provider_status not in ('superseded', 'pending'))
                  order by m.seq desc, m.direction desc, m.outbound_seq desc limit ${input.historyLimit}) h) as history
        from conversations c join contacts k on k.id = c.contact_id left join claimed cl on cl.id = c.id
        where c.id = ${id}`,
  )
  if (r === undefined) return undefined
  const conversation: TurnConversation = {
    id: Number(r.id),
    phoneNumberId: r.phone_number_id as string,
    status: r.status as ConversationStatus,
    department: r.department as string | null,
    answeredSeq: r.answered_seq as number,
    lastSeq: r.last_seq as number,
    turnDueAt: toDate(r.turn_due_at),
    leaseUntil: toDate(r.lease_until)!,
    turnAttempts: r.turn_attempts as number,
    unprocessed: r.unprocessed as number,
    customer: { waId: r.wa_id as string | null, userId: r.user_id as string | null },
  }
  if (r.token === null || r.token === undefined) return { conversation, claim: undefined }
  const list = (v: unknown) => (v ?? []) as Record<string, unknown>[]
  return {
    conversation,
    claim: {
      token: Number(r.token),
      attempt: r.attempt as number,
      unanswered: list(r.unanswered).map(toTurnMessage),
      replyParts: (list(r.reply_parts) as unknown as PartRow[]).map(toPart),
      history: list(r.history).map(toTurnMessage),
    },
  }
}

/** Gives the lease back early (a retryable failure), so the next attempt need not wait for it to expire. */
export async function releaseTurn(
  db: Db,
  conversationId: number,
  token: number,
  options: { /** A rate limit is no failure: give the attempt back. */ uncountAttempt?: boolean } = {},
): Promise<void> {
  const back = options.uncountAttempt === true ? 1 : 0
  await db.execute(sql`update conversations set lease_until = 'epoch', turn_attempts = greatest(turn_attempts - ${back}, 0)
                       where id = ${conversationId} and turn_token = ${token}`)
}

export interface TurnMessage {
  id: number
  direction: 'in' | 'out'
  seq: number
  type: string
  text: string | null
  wamid: string | null
  sentAt: Date | null
  createdAt: Date
  /** Inbound images: what image analysis recorded (see workers/image-analysis.ts); null otherwise. */
  analysis: unknown
  /** Outbound: `reply`, `agent`, `survey`, `menu`, `template`; inbound: null. */
  kind: string | null
  /** Outbound non-text payload (an interactive menu's buttons or rows); null otherwise. */
  content: unknown
  /** Inbound: what the webhook carried beyond text (a tapped choice's id); outbound: reply meta. */
  payload: unknown
}

/** Inbound messages the turn must cover (seq > answered), oldest first. */
export async function loadUnanswered(db: Db, conversationId: number, answeredSeq: number): Promise<TurnMessage[]> {
  return (await queryRows<Record<string, unknown>>(
    db,
    sql`select id, direction, seq, type, text, wamid, sent_at, created_at, analysis, kind, content, payload from messages
        where conversation_id = ${conversationId} and direction = 'in' and seq > ${answeredSeq} order by seq`,
  )).map(toTurnMessage)
}

export interface CompleteTurnInput {
  conversationId: number
  token: number
  answeredSeq: number
  department: string | undefined
  status: ConversationStatus
  now: Date
  debounce: DebounceSettings
  /** The turn's last part, sent: marked sent in the same round trip, lease or not (fenced by its attempt). */
  sent?: { partId: number; wamid: string; attempt: number } | undefined
  /**
   * The idle timer (`idle_due_at`, CONVERSATION_IDLE_MS after a bot answer), written with the
   * completion and fenced by the same token: a time sets it, null clears it, undefined leaves it.
   */
  idleDueAt?: Date | null | undefined
}

/**
 * Marks every inbound message up to `answeredSeq` covered and frees the lease, fenced by
 * the token (the sent part's mark is fenced by its own attempt and token, migration 0004). Messages that arrived during the turn keep a due time (invariant 4's rule,
 * from their own arrival), so they get a turn of their own. Undefined: the token was stale.
 * One round trip: `atende_complete_turn` (migrations 0001, 0012) runs the fence and the update as
 * two statements, so the update's snapshot sees every message committed before the lock.
 */
export async function completeTurn(db: Db, t: CompleteTurnInput): Promise<{ turnDueAt: Date | null } | undefined> {
  const [r] = await queryRows<{ completed: boolean; turn_due_at: unknown }>(
    db,
    sql`select completed, turn_due_at from atende_complete_turn(${t.conversationId}, ${t.token}, ${t.answeredSeq},
          ${t.department ?? null}, ${t.status}, ${t.now}, ${t.debounce.debounceMs}, ${t.debounce.debounceMaxMs},
          ${t.sent?.partId ?? null}, ${t.sent?.wamid ?? null}, ${t.sent?.attempt ?? null},
          ${t.idleDueAt !== undefined}, ${t.idleDueAt ?? null})`,
  )
  return r?.completed === true ? { turnDueAt: toDate(r.turn_due_at) } : undefined
}

function toTurnMessage(r: Record<string, unknown>): TurnMessage {
  return {
    id: Number(r.id),
    direction: r.direction as 'in' | 'out',
    seq: r.seq as number,
    type: r.type as string,
    text: r.text as string | null,
    wamid: r.wamid as string | null,
    sentAt: toDate(r.sent_at),
    createdAt: toDate(r.created_at)!,
    analysis: r.analysis ?? null,
    kind: (r.kind as string | null | undefined) ?? null,
    content: r.content ?? null,
    payload: r.payload ?? null,
  }
}
