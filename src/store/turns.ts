import { sql } from 'drizzle-orm'
import type { DebounceSettings } from '../domain/index.js'
import { queryRows, type Db } from './db.js'
import type { ConversationStatus } from './schema.js'
import { toDate } from './messages.js'

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

export async function loadTurnConversation(db: Db, id: number): Promise<TurnConversation | undefined> {
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`select c.id, c.phone_number_id, c.status, c.department, c.answered_seq, c.last_seq, c.turn_due_at,
               c.lease_until, c.turn_attempts, k.wa_id, k.user_id,
               (select count(*) from messages m where m.conversation_id = c.id and m.direction = 'in'
                  and m.seq > c.answered_seq and m.processed_at is null)::int as unprocessed
        from conversations c join contacts k on k.id = c.contact_id where c.id = ${id}`,
  )
  if (r === undefined) return undefined
  return {
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
}

/**
 * Takes the conversation's turn lease (invariant 3). The returned fencing token must match
 * on every later write of the turn, so a worker that stalls past its lease cannot write or
 * send. Counts the attempt in the database. Undefined: someone else holds the lease or the
 * turn is not due.
 */
export async function claimTurn(
  db: Db,
  conversationId: number,
  now: Date,
  leaseMs: number,
): Promise<{ token: number; attempt: number } | undefined> {
  const [r] = await queryRows<{ turn_token: string; turn_attempts: number }>(
    db,
    sql`update conversations set turn_token = turn_token + 1, turn_attempts = turn_attempts + 1,
               lease_until = ${new Date(now.getTime() + leaseMs)}, updated_at = ${now}
        where id = ${conversationId} and lease_until < ${now} and turn_due_at is not null and turn_due_at <= ${now}
        returning turn_token, turn_attempts`,
  )
  return r === undefined ? undefined : { token: Number(r.turn_token), attempt: r.turn_attempts }
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
}

/** Inbound messages the turn must cover (seq > answered), oldest first. */
export async function loadUnanswered(db: Db, conversationId: number, answeredSeq: number): Promise<TurnMessage[]> {
  return (await queryRows<Record<string, unknown>>(
    db,
    sql`select id, direction, seq, type, text, wamid, sent_at, created_at from messages
        where conversation_id = ${conversationId} and direction = 'in' and seq > ${answeredSeq} order by seq`,
  )).map(toTurnMessage)
}

/** The last `limit` messages in and out already covered by turns, oldest first. */
export async function loadHistory(db: Db, conversationId: number, answeredSeq: number, limit: number): Promise<TurnMessage[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select id, direction, seq, type, text, wamid, sent_at, created_at from messages
        where conversation_id = ${conversationId} and seq <= ${answeredSeq}
          and (direction = 'in' or provider_status not in ('superseded', 'pending'))
        order by seq desc, direction asc, part desc limit ${limit}`,
  )
  return rows.map(toTurnMessage).reverse()
}

export interface CompleteTurnInput {
  conversationId: number
  token: number
  answeredSeq: number
  department: string | undefined
  status: ConversationStatus
  now: Date
  debounce: DebounceSettings
}

/**
 * Marks every inbound message up to `answeredSeq` covered and frees the lease, fenced by
 * the token. Messages that arrived during the turn keep a due time (invariant 4's rule,
 * from their own arrival), so they get a turn of their own. Undefined: the token was stale.
 */
export async function completeTurn(db: Db, t: CompleteTurnInput): Promise<{ turnDueAt: Date | null } | undefined> {
  const firstLater = sql`(select min(m.created_at) from messages m
      where m.conversation_id = c.id and m.direction = 'in' and m.seq > ${t.answeredSeq})`
  return db.transaction(async (tx) => {
    // Take the row lock in a statement of its own. A message whose commit held the lock is
    // then visible to the update below (a new statement, a new snapshot); an update that
    // waited for the lock itself would re-read the row but not the messages, and lose the
    // message's arrival time.
    const fenced = await queryRows<{ id: string }>(
      tx,
      sql`select id from conversations where id = ${t.conversationId} and turn_token = ${t.token} for update`,
    )
    if (fenced.length === 0) return undefined
    const [r] = await queryRows<{ turn_due_at: unknown }>(
      tx,
      sql`update conversations c set
            answered_seq = greatest(c.answered_seq, ${t.answeredSeq}),
            department = coalesce(${t.department ?? null}, c.department),
            status = ${t.status},
            turn_attempts = 0,
            lease_until = 'epoch',
            first_unanswered_at = ${firstLater},
            turn_due_at = case when c.last_seq > ${t.answeredSeq} then least(
                c.last_inbound_at + make_interval(secs => ${t.debounce.debounceMs / 1000}),
                ${firstLater} + make_interval(secs => ${t.debounce.debounceMaxMs / 1000})) end,
            updated_at = ${t.now}
          where c.id = ${t.conversationId} and c.turn_token = ${t.token}
          returning c.turn_due_at`,
    )
    return r === undefined ? undefined : { turnDueAt: toDate(r.turn_due_at) }
  })
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
  }
}
