import { sql, type SQL } from 'drizzle-orm'
import { storableText } from '../domain/index.js'
import { jsonText, nullableText } from './values.js'
import type { Db } from './db.js'

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

const STATUS_RANK = new Map(Object.entries({ pending: 0, sending: 1, unknown: 1, sent: 2, delivered: 3, read: 4, failed: 5 }))

/** How a wamid is kept in `erased_wamids`: its sha256, computed in SQL by the erase and by every lookup. */
export function wamidHash(wamid: SQL): SQL {
  return sql`sha256(convert_to(${wamid}, 'UTF8'))`
}

/** Whether a wamid belongs to an erased customer (`erased_wamids`, kept 7 days). */
export function isErasedWamid(wamid: SQL): SQL {
  return sql`exists (select 1 from erased_wamids e where e.hash = ${wamidHash(wamid)})`
}

export async function applyStatus(db: Db, s: StatusRow): Promise<void> {
  // A status of an erased customer's message (a late "read", a redelivery) is not stored:
  // its payload names the customer again.
  const wamid = storableText(s.wamid)
  const status = storableText(s.status)
  const errors = jsonText(s.errors)
  await db.execute(
    sql`insert into status_events (wamid, status, recipient, errors, payload, occurred_at)
        select ${wamid}::text, ${status}::text, ${nullableText(s.recipient)}::text, ${errors}::jsonb,
               ${jsonText(s.payload) ?? '{}'}::jsonb, ${s.occurredAt ?? null}::timestamptz
        where not ${isErasedWamid(sql`${wamid}::text`)}`,
  )
  if (s.outboxId !== undefined) {
    // The send's outcome was unknown (the sender died after Meta accepted it, or has not
    // recorded it yet): Meta's status names the row, gives it its wamid, and the rank update
    // below settles `unknown` → sent / delivered / read / failed (invariant 6). Only a row
    // whose send began: a pending or superseded row was never sent.
    await db.execute(sql`update messages set wamid = ${wamid}, updated_at = now()
                         where id = ${s.outboxId} and direction = 'out' and wamid is null
                           and provider_status in ('sending', 'unknown')`)
  }
  // Statuses can arrive out of order; never move an outbound message backwards (read → delivered).
  // A Map, not an object: a status named `constructor` must not find Object.prototype's.
  const rank = STATUS_RANK.get(status) ?? 0
  const ranks = sql.raw(
    `case provider_status ${[...STATUS_RANK].map(([k, v]) => `when '${k}' then ${v}`).join(' ')} else 0 end`,
  )
  await db.execute(
    sql`update messages set provider_status = ${status}, error = coalesce(${errors}::jsonb, error), updated_at = now()
        where wamid = ${wamid} and direction = 'out' and ${ranks} < ${rank}`,
  )
}
