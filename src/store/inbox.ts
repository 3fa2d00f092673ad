import { sql } from 'drizzle-orm'
import { stripNul, type DebounceSettings } from '../domain/index.js'
import { jsonText, nullableText } from './values.js'
import { queryRows, type Db } from './db.js'

/** One inbound message as the store takes it: WhatsApp's shape already mapped to ours. */
export interface InboundRow {
  phoneNumberId: string
  /** `wa:<wa_id>` or `bsuid:<user_id>`. */
  customerKey: string
  waId: string | undefined
  userId: string | undefined
  profileName: string | undefined
  wamid: string
  type: string
  text: string | undefined
  media: unknown
  payload: unknown
  sentAt: Date
}

export interface StatusRow {
  wamid: string
  status: string
  recipient: string | undefined
  occurredAt: Date | undefined
  errors: unknown
  /** Outbox row id we sent as `biz_opaque_callback_data`; settles a row whose send outcome was unknown. */
  outboxId: number | undefined
  payload: unknown
}

export interface QuarantineRow {
  reason: string
  raw: Buffer
}

export interface InboxBatch {
  messages: InboundRow[]
  statuses: StatusRow[]
  quarantine: QuarantineRow[]
}

export interface AcceptedMessage {
  messageId: number
  conversationId: number
  seq: number
  turnDueAt: Date
}

export interface InboxCommitResult {
  accepted: AcceptedMessage[]
  /** Messages whose wamid was already stored (Meta redelivers for up to 7 days). */
  duplicates: number
  statuses: number
  /** Parts kept raw: the payload's own unparsed parts plus rows the database refused. */
  quarantined: number
}

class DuplicateMessage extends Error {}

/**
 * Commits one webhook's messages, statuses and quarantined parts in a single transaction.
 * Each message sits in its own savepoint, so a row the database refuses is quarantined
 * raw instead of failing the others (invariant 1); a wamid seen before inserts nothing
 * (invariant 2).
 */
export async function commitInbox(db: Db, batch: InboxBatch, now: Date, debounce: DebounceSettings): Promise<InboxCommitResult> {
  return db.transaction(async (tx) => {
    const result: InboxCommitResult = { accepted: [], duplicates: 0, statuses: 0, quarantined: 0 }
    const refused: QuarantineRow[] = []
    for (const m of batch.messages) {
      try {
        result.accepted.push(await tx.transaction((sp) => insertInbound(sp as unknown as Db, m, now, debounce)))
      } catch (err) {
        if (err instanceof DuplicateMessage) result.duplicates++
        else refused.push({ reason: `message refused by the database: ${(err as Error).message}`, raw: Buffer.from(JSON.stringify(m)) })
      }
    }
    for (const s of batch.statuses) {
      await tx.transaction((sp) => applyStatus(sp as unknown as Db, s))
      result.statuses++
    }
    for (const q of [...batch.quarantine, ...refused]) {
      await tx.execute(sql`insert into quarantine (reason, raw) values (${stripNul(q.reason)}, ${q.raw})`)
      result.quarantined++
    }
    return result
  })
}

async function insertInbound(db: Db, m: InboundRow, now: Date, debounce: DebounceSettings): Promise<AcceptedMessage> {
  const seen = await queryRows<{ id: number }>(db, sql`select id from messages where wamid = ${m.wamid}`)
  if (seen.length > 0) throw new DuplicateMessage()

  const [contact] = await queryRows<{ id: string }>(
    db,
    sql`insert into contacts (customer_key, wa_id, user_id, profile_name)
        values (${m.customerKey}, ${m.waId ?? null}, ${m.userId ?? null}, ${nullableText(m.profileName)})
        on conflict (customer_key) do update set
          wa_id = coalesce(excluded.wa_id, contacts.wa_id),
          user_id = coalesce(excluded.user_id, contacts.user_id),
          profile_name = coalesce(excluded.profile_name, contacts.profile_name),
          updated_at = ${now}
        returning id`,
  )
  // The row lock taken by this upsert serialises concurrent messages of one conversation,
  // so `last_seq` hands out each seq once. The due time is invariant 4's rule (domain/turn-due).
  const [conv] = await queryRows<{ id: string; last_seq: number; turn_due_at: Date | string }>(
    db,
    sql`insert into conversations (phone_number_id, contact_id, last_seq, first_unanswered_at, last_inbound_at, turn_due_at, created_at, updated_at)
        values (${m.phoneNumberId}, ${contact!.id}, 1, ${now}, ${now},
                ${new Date(now.getTime() + Math.min(debounce.debounceMs, debounce.debounceMaxMs))}, ${now}, ${now})
        on conflict (phone_number_id, contact_id) do update set
          last_seq = conversations.last_seq + 1,
          first_unanswered_at = coalesce(conversations.first_unanswered_at, ${now}),
          last_inbound_at = ${now},
          turn_due_at = least(
            ${now}::timestamptz + make_interval(secs => ${debounce.debounceMs / 1000}),
            coalesce(conversations.first_unanswered_at, ${now}) + make_interval(secs => ${debounce.debounceMaxMs / 1000})),
          status = case when conversations.status in ('resolved', 'awaiting_nps', 'closed') then 'open' else conversations.status end,
          updated_at = ${now}
        returning id, last_seq, turn_due_at`,
  )
  const inserted = await queryRows<{ id: string }>(
    db,
    sql`insert into messages (conversation_id, direction, wamid, seq, type, text, media, payload, provider_status, sent_at, created_at, updated_at)
        values (${conv!.id}, 'in', ${m.wamid}, ${conv!.last_seq}, ${stripNul(m.type)}, ${nullableText(m.text)},
                ${jsonText(m.media)}, ${jsonText(m.payload)}, 'received', ${m.sentAt}, ${now}, ${now})
        on conflict (wamid) do nothing
        returning id`,
  )
  // A concurrent request committed the same wamid first: roll this savepoint back whole.
  if (inserted.length === 0) throw new DuplicateMessage()
  return {
    messageId: Number(inserted[0]!.id),
    conversationId: Number(conv!.id),
    seq: conv!.last_seq,
    turnDueAt: new Date(conv!.turn_due_at),
  }
}

const STATUS_RANK: Record<string, number> = { pending: 0, sending: 1, unknown: 1, sent: 2, delivered: 3, read: 4, failed: 5 }

export async function applyStatus(db: Db, s: StatusRow): Promise<void> {
  await db.execute(
    sql`insert into status_events (wamid, status, recipient, errors, payload, occurred_at)
        values (${stripNul(s.wamid)}, ${stripNul(s.status)}, ${nullableText(s.recipient)}, ${jsonText(s.errors)}, ${jsonText(s.payload) ?? '{}'}, ${s.occurredAt ?? null})`,
  )
  if (s.outboxId !== undefined) {
    // The send's outcome was unknown (crash after Meta accepted it): Meta's status settles it.
    await db.execute(sql`update messages set wamid = ${s.wamid}, updated_at = now()
                         where id = ${s.outboxId} and direction = 'out' and wamid is null`)
  }
  // Statuses can arrive out of order; never move an outbound message backwards (read → delivered).
  const rank = STATUS_RANK[s.status] ?? 0
  const ranks = sql.raw(
    `case provider_status ${Object.entries(STATUS_RANK).map(([k, v]) => `when '${k}' then ${v}`).join(' ')} else 0 end`,
  )
  await db.execute(
    sql`update messages set provider_status = ${s.status}, error = coalesce(${jsonText(s.errors)}::jsonb, error), updated_at = now()
        where wamid = ${s.wamid} and direction = 'out' and ${ranks} < ${rank}`,
  )
}
