/**
 * Meta's webhook → what Atende stores. Every entry, change, message and status is read
 * (one POST may batch many), and each part is validated on its own: a part that fails
 * becomes an {@link UnparsedPart} for the quarantine table while the rest still parse
 * (DESIGN.md, invariant 1). This function never throws.
 */
import { storableJson } from '../domain/index.js'
import { parseMessage, type ContactIndex } from './parse-message.js'
import type { InboundMessage, ParsedWebhook, StatusUpdate, UnparsedPart } from './types.js'
import {
  changeSchema,
  contactSchema,
  describeIssues,
  entrySchema,
  envelopeSchema,
  isJsonObject,
  messagesValueSchema,
  statusSchema,
  type Contact,
} from './webhook-schema.js'

/** The only `changes[].field` that carries customer messages and delivery statuses. */
const MESSAGES_FIELD = 'messages'

interface Sink {
  messages: InboundMessage[]
  statuses: StatusUpdate[]
  unparsed: UnparsedPart[]
}

export function parseWebhook(body: unknown): ParsedWebhook {
  const sink: Sink = { messages: [], statuses: [], unparsed: [] }
  // Text and JSON as the database can store them, once, here; nesting past MAX_JSON_DEPTH is
  // cut, so nothing downstream (zod, JSON.stringify, jsonb) can recurse without a bound.
  const clean = storableJson(body)
  readEnvelope(clean.value, sink)
  return { ...sink, cutValues: clean.cut }
}

function readEnvelope(body: unknown, sink: Sink): void {
  const envelope = envelopeSchema.safeParse(body)
  if (!envelope.success) {
    sink.unparsed.push({ raw: body, reason: `body: expected a WhatsApp webhook { object: 'whatsapp_business_account', entry: [...] }; ${describeIssues(envelope.error)}` })
    return
  }
  for (const [i, entry] of envelope.data.entry.entries()) readEntry(entry, `entry[${i}]`, sink)
}

function readEntry(entry: unknown, where: string, sink: Sink): void {
  const parsed = entrySchema.safeParse(entry)
  if (!parsed.success) {
    sink.unparsed.push({ raw: entry, reason: `${where}: expected an entry with a changes array; ${describeIssues(parsed.error)}` })
    return
  }
  for (const [i, change] of parsed.data.changes.entries()) readChange(change, `${where}.changes[${i}]`, sink)
}

function readChange(change: unknown, where: string, sink: Sink): void {
  const parsed = changeSchema.safeParse(change)
  if (!parsed.success) {
    sink.unparsed.push({ raw: change, reason: `${where}: expected a change with a field name and a value; ${describeIssues(parsed.error)}` })
    return
  }
  // Other fields (account_update, message_template_status_update, ...) are not ours to handle.
  if (parsed.data.field !== MESSAGES_FIELD) return
  readMessagesValue(parsed.data.value, `${where}.value`, sink)
}

function readMessagesValue(value: unknown, where: string, sink: Sink): void {
  const parsed = messagesValueSchema.safeParse(value)
  if (!parsed.success) {
    // Without metadata we cannot tell which business number was written to: keep it all.
    sink.unparsed.push({ raw: value, reason: `${where}: expected a messages value with metadata.phone_number_id; ${describeIssues(parsed.error)}` })
    return
  }
  const v = parsed.data
  const phoneNumberId = v.metadata.phone_number_id
  const contacts = readContacts(v.contacts)

  for (const [i, raw] of listAt(v.messages, `${where}.messages`, sink).entries()) {
    const result = parseMessage(raw, { phoneNumberId, contacts, where: `${where}.messages[${i}]` })
    if (result.ok) sink.messages.push(result.message)
    else sink.unparsed.push(result.part)
  }
  for (const [i, raw] of listAt(v.statuses, `${where}.statuses`, sink).entries()) {
    readStatus(raw, phoneNumberId, `${where}.statuses[${i}]`, sink)
  }
  if (v.errors !== undefined && v.errors !== null) {
    // Value-level errors are Meta telling us something went wrong on its side (no message
    // or status to attach them to). They have no column of their own, so they go to the
    // quarantine where someone will see them.
    sink.unparsed.push({
      reason: `${where}.errors: Meta reported errors outside any message or status (codes: ${errorCodes(v.errors)})`,
      raw: { metadata: isJsonObject(value) ? value.metadata : undefined, errors: v.errors },
    })
  }
}

/** An absent list is empty; a list that is not an array is kept raw, and the rest goes on. */
function listAt(list: unknown, where: string, sink: Sink): unknown[] {
  if (list === undefined || list === null) return []
  if (Array.isArray(list)) return list
  sink.unparsed.push({ raw: list, reason: `${where}: expected an array; got ${typeof list}` })
  return []
}

/**
 * Contacts only give profile names, so an odd one is skipped rather than quarantined: the
 * messages it describes still parse, just without a name.
 */
function readContacts(contacts: unknown): ContactIndex {
  const byWaId = new Map<string, Contact>()
  const byUserId = new Map<string, Contact>()
  const index: ContactIndex = { byWaId, byUserId }
  if (!Array.isArray(contacts)) return index
  for (const c of contacts) {
    const parsed = contactSchema.safeParse(c)
    if (!parsed.success) continue
    // The first contact given for an id wins, as a search of the list in order would find.
    const { wa_id: waId, user_id: userId } = parsed.data
    if (waId !== undefined && !byWaId.has(waId)) byWaId.set(waId, parsed.data)
    if (userId !== undefined && !byUserId.has(userId)) byUserId.set(userId, parsed.data)
  }
  return index
}

function readStatus(raw: unknown, phoneNumberId: string, where: string, sink: Sink): void {
  const parsed = statusSchema.safeParse(raw)
  if (!parsed.success || !isJsonObject(raw)) {
    const issues = parsed.success ? '(itself): expected an object' : describeIssues(parsed.error)
    sink.unparsed.push({ reason: `${where}: expected a status with id and status; ${issues}`, raw })
    return
  }
  const s = parsed.data
  sink.statuses.push({
    phoneNumberId,
    wamid: s.id,
    status: s.status,
    recipient: s.recipient_id ?? s.recipient_user_id,
    occurredAt: s.timestamp,
    errors: s.errors,
    bizOpaqueCallbackData: s.biz_opaque_callback_data,
    raw,
  })
}

const MAX_CODES_IN_REASON = 10

/** Only numeric codes are echoed: titles and details may quote customer data. */
function errorCodes(errors: unknown): string {
  if (!Array.isArray(errors)) return 'not an array'
  const codes = errors.slice(0, MAX_CODES_IN_REASON).map((e) => (isJsonObject(e) && typeof e.code === 'number' ? String(e.code) : '?'))
  const more = errors.length > MAX_CODES_IN_REASON ? ` and ${errors.length - MAX_CODES_IN_REASON} more` : ''
  return codes.length === 0 ? 'none' : codes.join(', ') + more
}
