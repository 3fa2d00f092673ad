import { MAX_JSON_DEPTH } from '../domain/index.js'
import type { InboxBatch, InboundRow, QuarantineRow, StatusRow } from '../store/index.js'
import type { InboundMessage, ParsedWebhook, StatusUpdate } from '../whatsapp/index.js'

/**
 * Most quarantine rows one delivery writes. Past it (100,000 empty entries made 100,000 rows),
 * one row keeps the whole signed body, with the counts in its reason.
 */
export const MAX_QUARANTINE_ROWS = 10

/** Longest quarantine reason; a reason also goes to the log. */
export const MAX_REASON_CHARS = 500

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
 * One row per unparsed part (its value as read), while they are few and whole. When there
 * are many, or a value had to be cut for nesting too deep, one row keeps the original bytes:
 * nothing signed is lost, and a hostile delivery costs one row.
 */
function quarantineRows(parsed: ParsedWebhook, body: DeliveryBody): QuarantineRow[] {
  const cut = body.cut + parsed.cutValues
  if (cut === 0 && parsed.unparsedCount <= MAX_QUARANTINE_ROWS) {
    // The parser bounded nesting, so this JSON.stringify cannot overflow the stack.
    return parsed.unparsed.map((u) => ({ reason: boundedReason(u.reason), raw: Buffer.from(JSON.stringify(u.raw) ?? 'null') }))
  }
  const what = [
    parsed.unparsedCount > 0 ? `${parsed.unparsedCount} parts could not be read` : undefined,
    cut > 0 ? `${cut} values nested deeper than ${MAX_JSON_DEPTH} levels were cut from what was read` : undefined,
  ].filter((s) => s !== undefined)
  const first = parsed.unparsed.slice(0, 3).map((u) => u.reason)
  return [{ reason: boundedReason(`${what.join('; ')}; the whole signed body is kept here${first.length > 0 ? `. First: ${first.join('; ')}` : ''}`), raw: body.raw }]
}

export function boundedReason(reason: string, maxChars = MAX_REASON_CHARS): string {
  return reason.length <= maxChars ? reason : `${reason.slice(0, maxChars - 1)}…`
}

/**
 * A batch cut into batches of at most `maxRows` rows, in order (messages, statuses, then
 * quarantine). Always at least one, so an empty delivery still meets the database.
 */
export function chunkBatch(batch: InboxBatch, maxRows: number): InboxBatch[] {
  const rows = [
    ...batch.messages.map((row) => ({ kind: 'messages' as const, row })),
    ...batch.statuses.map((row) => ({ kind: 'statuses' as const, row })),
    ...batch.quarantine.map((row) => ({ kind: 'quarantine' as const, row })),
  ]
  const chunks: InboxBatch[] = []
  for (let i = 0; i === 0 || i < rows.length; i += maxRows) {
    const chunk: InboxBatch = { messages: [], statuses: [], quarantine: [] }
    for (const r of rows.slice(i, i + maxRows)) {
      if (r.kind === 'messages') chunk.messages.push(r.row)
      else if (r.kind === 'statuses') chunk.statuses.push(r.row)
      else chunk.quarantine.push(r.row)
    }
    chunks.push(chunk)
  }
  return chunks
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
