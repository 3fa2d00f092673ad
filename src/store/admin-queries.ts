import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { toDate } from './messages.js'
import type { ConversationStatus, MessageDirection } from './schema.js'

/** Longest `lastMessage.text` in a listing; the full text is in the conversation's detail. */
export const LAST_MESSAGE_TEXT_CHARS = 200
/** Most messages one conversation detail returns: the newest ones. */
export const CONVERSATION_MESSAGES_LIMIT = 500

export interface ConversationSummary {
  id: number
  phoneNumberId: string
  contact: { id: number; waId: string | null; userId: string | null; profileName: string | null }
  status: ConversationStatus
  department: string | null
  lastSeq: number
  answeredSeq: number
  turnDueAt: Date | null
  createdAt: Date
  updatedAt: Date
  lastMessage?: { direction: MessageDirection; type: string; text: string | null; createdAt: Date }
}

export interface ConversationFilter {
  /** Matches the contact's `wa_id`, `user_id` or `customer_key` exactly. */
  contact?: string | undefined
  status?: ConversationStatus | undefined
  department?: string | undefined
  /** Only conversations with an id below this one (keyset pagination). */
  beforeId?: number | undefined
  /** Most rows returned. */
  limit: number
}

export interface ConversationMessage {
  id: number
  direction: MessageDirection
  wamid: string | null
  seq: number
  part: number
  type: string
  text: string | null
  media: unknown
  payload: unknown
  providerStatus: string
  error: unknown
  sentAt: Date | null
  createdAt: Date
}

export interface ConversationDetail extends ConversationSummary {
  /** In conversation order: `seq`, inbound before outbound, then `part`. */
  messages: ConversationMessage[]
  /** Older messages exist beyond the newest {@link CONVERSATION_MESSAGES_LIMIT}. */
  truncated: boolean
}

/**
 * The conversation columns, its contact and its last message in conversation order (for a
 * given `seq`, what was sent comes after the inbound message: 'out' sorts after 'in'; outbound
 * rows in the order written, `outbound_seq`).
 */
const SUMMARY_SELECT = sql`
  select c.id, c.phone_number_id, c.status, c.department, c.last_seq, c.answered_seq, c.turn_due_at,
         c.created_at, c.updated_at, k.id as contact_id, k.wa_id, k.user_id, k.profile_name,
         m.direction as last_direction, m.type as last_type,
         left(m.text, ${LAST_MESSAGE_TEXT_CHARS}) as last_text, m.created_at as last_created_at
  from conversations c
  join contacts k on k.id = c.contact_id
  left join lateral (
    select direction, type, text, created_at from messages
    where conversation_id = c.id
    order by seq desc, direction desc, outbound_seq desc
    limit 1
  ) m on true`

/**
 * Conversations newest first, by `id desc`: ids never change, so a walk through the pages
 * sees each conversation once even while new messages arrive. Asks for `limit` rows; the
 * caller asks for one more to learn whether another page exists.
 */
export async function listConversations(db: Db, filter: ConversationFilter): Promise<ConversationSummary[]> {
  const where: SQL[] = []
  if (filter.contact !== undefined) {
    where.push(sql`(k.wa_id = ${filter.contact} or k.user_id = ${filter.contact} or k.customer_key = ${filter.contact})`)
  }
  if (filter.status !== undefined) where.push(sql`c.status = ${filter.status}`)
  if (filter.department !== undefined) where.push(sql`c.department = ${filter.department}`)
  if (filter.beforeId !== undefined) where.push(sql`c.id < ${filter.beforeId}`)
  const whereSql = where.length === 0 ? sql`` : sql`where ${sql.join(where, sql` and `)}`
  const rows = await queryRows<Record<string, unknown>>(db, sql`${SUMMARY_SELECT} ${whereSql} order by c.id desc limit ${filter.limit}`)
  return rows.map(toSummary)
}

/** One conversation with its newest messages, in and out; undefined when the id is unknown. */
export async function loadConversationDetail(db: Db, id: number): Promise<ConversationDetail | undefined> {
  const [row] = await queryRows<Record<string, unknown>>(db, sql`${SUMMARY_SELECT} where c.id = ${id}`)
  if (row === undefined) return undefined
  // Newest first with one extra row to learn whether older ones were left out, then reversed.
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select id, direction, wamid, seq, part, type, text, media, payload, provider_status, error, sent_at, created_at
        from messages where conversation_id = ${id}
        order by seq desc, direction desc, outbound_seq desc
        limit ${CONVERSATION_MESSAGES_LIMIT + 1}`,
  )
  const truncated = rows.length > CONVERSATION_MESSAGES_LIMIT
  const messages = rows.slice(0, CONVERSATION_MESSAGES_LIMIT).reverse().map(toMessage)
  return { ...toSummary(row), messages, truncated }
}

function toSummary(r: Record<string, unknown>): ConversationSummary {
  const summary: ConversationSummary = {
    id: Number(r.id),
    phoneNumberId: r.phone_number_id as string,
    contact: {
      id: Number(r.contact_id),
      waId: r.wa_id as string | null,
      userId: r.user_id as string | null,
      profileName: r.profile_name as string | null,
    },
    status: r.status as ConversationStatus,
    department: r.department as string | null,
    lastSeq: Number(r.last_seq),
    answeredSeq: Number(r.answered_seq),
    turnDueAt: toDate(r.turn_due_at),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  }
  if (r.last_direction !== null && r.last_direction !== undefined) {
    summary.lastMessage = {
      direction: r.last_direction as MessageDirection,
      type: r.last_type as string,
      text: r.last_text as string | null,
      createdAt: toDate(r.last_created_at)!,
    }
  }
  return summary
}

function toMessage(r: Record<string, unknown>): ConversationMessage {
  return {
    id: Number(r.id),
    direction: r.direction as MessageDirection,
    wamid: r.wamid as string | null,
    seq: Number(r.seq),
    part: Number(r.part),
    type: r.type as string,
    text: r.text as string | null,
    media: r.media ?? null,
    payload: r.payload ?? null,
    providerStatus: r.provider_status as string,
    error: r.error ?? null,
    sentAt: toDate(r.sent_at),
    createdAt: toDate(r.created_at)!,
  }
}
