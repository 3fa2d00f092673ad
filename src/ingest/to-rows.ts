import type { InboxBatch, InboundRow, StatusRow } from '../store/index.js'
import type { InboundMessage, ParsedWebhook, StatusUpdate } from '../whatsapp/index.js'

/** The conversation key of a customer: phone-based when Meta gives it, business-scoped otherwise. */
export function customerKey(m: InboundMessage): string {
  if (m.customer.waId !== undefined) return `wa:${m.customer.waId}`
  return `bsuid:${m.customer.userId ?? 'unknown'}`
}

export function toInboxBatch(parsed: ParsedWebhook): InboxBatch {
  return {
    messages: parsed.messages.map(toInboundRow),
    statuses: parsed.statuses.map(toStatusRow),
    quarantine: parsed.unparsed.map((u) => ({ reason: u.reason, raw: Buffer.from(JSON.stringify(u.raw) ?? 'null') })),
  }
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
  const outboxId = s.bizOpaqueCallbackData !== undefined && /^out:\d+$/.test(s.bizOpaqueCallbackData)
    ? Number(s.bizOpaqueCallbackData.slice(4))
    : undefined
  return {
    wamid: s.wamid,
    status: s.status,
    recipient: s.recipient,
    occurredAt: s.occurredAt,
    errors: s.errors,
    outboxId,
    payload: s.raw,
  }
}
