import { MAX_JSON_DEPTH } from '../domain/index.js'
import type { InboxBatch, InboundRow, QuarantineRow, StatusRow } from '../store/index.js'
import type { InboundMessage, ParsedWebhook, StatusUpdate } from '../whatsapp/index.js'

/** The signed bytes of a delivery, and how many too-deep values decoding them cut. */
export interface DeliveryBody {
  raw: Buffer
  cut: number
}

/** The conversation key of a customer: phone-based when Meta gives it, business-scoped otherwise. */
export function customerKey(m: InboundMessage): string {
  if (m.customer.waId !== undefined) return `wa:${m.customer.waId}`
  return `bsuid:${m.customer.userId ?? 'unknown'}`
}

export function toInboxBatch(parsed: ParsedWebhook, body: DeliveryBody): InboxBatch {
  return {
    messages: parsed.messages.map(toInboundRow),
    statuses: parsed.statuses.map(toStatusRow),
    quarantine: quarantineRows(parsed, body),
  }
}

/**
 * One row per unparsed part (its value as read). When a value had to be cut for nesting too
 * deep, one row keeps the original bytes instead: nothing signed is lost.
 */
function quarantineRows(parsed: ParsedWebhook, body: DeliveryBody): QuarantineRow[] {
  const cut = body.cut + parsed.cutValues
  if (cut === 0) {
    // The parser bounded nesting, so this JSON.stringify cannot overflow the stack.
    return parsed.unparsed.map((u) => ({ reason: u.reason, raw: Buffer.from(JSON.stringify(u.raw) ?? 'null') }))
  }
  const what = [
    parsed.unparsed.length > 0 ? `${parsed.unparsed.length} parts could not be read` : undefined,
    `${cut} values nested deeper than ${MAX_JSON_DEPTH} levels were cut from what was read`,
  ].filter((s) => s !== undefined)
  return [{ reason: `${what.join('; ')}; the whole signed body is kept here`, raw: body.raw }]
}

function toInboundRow(m: InboundMessage): InboundRow {
  return {
    phoneNumberId: m.phoneNumberId,
    customerKey: customerKey(m),
    waId: m.customer.waId,
    userId: m.customer.userId,
    profileName: m.customer.profileName,
    wamid: m.wamid,
    type: m.type,
    text: m.text,
    media: m.media,
    payload: m.payload,
    sentAt: m.sentAt,
  }
}

function toStatusRow(s: StatusUpdate): StatusRow {
  return {
    wamid: s.wamid,
    status: s.status,
    recipient: s.recipient,
    occurredAt: s.occurredAt,
    errors: s.errors,
    outboxId: outboxIdOf(s.bizOpaqueCallbackData),
    payload: s.raw,
  }
}

/**
 * The outbox row id we sent as `out:<id>`. Anything else settles nothing: another sender's
 * data, or an id past 2^53, which no row of ours has and bigint may not hold.
 */
function outboxIdOf(data: string | undefined): number | undefined {
  const match = data === undefined ? null : /^out:(\d{1,16})$/.exec(data)
  const id = match === null ? undefined : Number(match[1])
  return id !== undefined && Number.isSafeInteger(id) ? id : undefined
}
