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

export interface ParseOptions {
  /**
   * Unparsed parts kept whole (reason and raw value); past this many they are only counted.
   * A delivery of a million odd parts must not become a million objects. @defaultValue 100
   */
  keepUnparsed?: number
  /** Parts (entries, changes, messages, statuses) read between two yields of {@link parseWebhookInSteps}. @defaultValue 500 */
  partsPerStep?: number
}

class Sink {
  readonly messages: InboundMessage[] = []
  readonly statuses: StatusUpdate[] = []
  readonly unparsed: UnparsedPart[] = []
  unparsedCount = 0
  #parts = 0

  constructor(
    private readonly keepUnparsed: number,
    private readonly partsPerStep: number,
  ) {}

  /** Counts an odd part; the reason is only written for the parts kept. */
  reject(raw: unknown, reason: () => string): void {
    this.unparsedCount++
    if (this.unparsed.length < this.keepUnparsed) this.unparsed.push({ reason: reason(), raw })
  }

  /** Counts a part read; true when a step is over and the reader should yield. */
  step(): boolean {
    return ++this.#parts % this.partsPerStep === 0
  }
}

type Steps = Generator<void, void, void>

/** Reads a whole body at once: {@link parseWebhookInSteps} without the pauses. */
export function parseWebhook(body: unknown, options: ParseOptions = {}): ParsedWebhook {
  const steps = parseWebhookInSteps(body, options)
  for (;;) {
    const next = steps.next()
    if (next.done === true) return next.value
  }
}

/**
 * Reads a body, pausing (`yield`) every `partsPerStep` parts so that the caller can let the
 * event loop serve other requests: a delivery of thousands of parts costs seconds of CPU.
 * Never throws.
 */
export function* parseWebhookInSteps(body: unknown, options: ParseOptions = {}): Generator<void, ParsedWebhook, void> {
  const sink = new Sink(options.keepUnparsed ?? 100, options.partsPerStep ?? 500)
  // Text and JSON as the database can store them, once, here; nesting past MAX_JSON_DEPTH is
  // cut, so nothing downstream (zod, JSON.stringify, jsonb) can recurse without a bound.
  const clean = storableJson(body)
  yield* readEnvelope(clean.value, sink)
  return {
    messages: sink.messages,
    statuses: sink.statuses,
    unparsed: sink.unparsed,
    unparsedCount: sink.unparsedCount,
    cutValues: clean.cut,
  }
}

function* readEnvelope(body: unknown, sink: Sink): Steps {
  const envelope = envelopeSchema.safeParse(body)
  if (!envelope.success) {
    sink.reject(body, () => `body: expected a WhatsApp webhook { object: 'whatsapp_business_account', entry: [...] }; ${describeIssues(envelope.error)}`)
    return
  }
  for (const [i, entry] of envelope.data.entry.entries()) yield* readEntry(entry, `entry[${i}]`, sink)
}

function* readEntry(entry: unknown, where: string, sink: Sink): Steps {
  if (sink.step()) yield
  const parsed = entrySchema.safeParse(entry)
  if (!parsed.success) {
    sink.reject(entry, () => `${where}: expected an entry with a changes array; ${describeIssues(parsed.error)}`)
    return
  }
  for (const [i, change] of parsed.data.changes.entries()) yield* readChange(change, `${where}.changes[${i}]`, sink)
}

function* readChange(change: unknown, where: string, sink: Sink): Steps {
  if (sink.step()) yield
  const parsed = changeSchema.safeParse(change)
  if (!parsed.success) {
    sink.reject(change, () => `${where}: expected a change with a field name and a value; ${describeIssues(parsed.error)}`)
    return
  }
  // Other fields (account_update, message_template_status_update, ...) are not ours to handle.
  if (parsed.data.field !== MESSAGES_FIELD) return
  yield* readMessagesValue(parsed.data.value, `${where}.value`, sink)
}

function* readMessagesValue(value: unknown, where: string, sink: Sink): Steps {
  const parsed = messagesValueSchema.safeParse(value)
  if (!parsed.success) {
    // Without metadata we cannot tell which business number was written to: keep it all.
    sink.reject(value, () => `${where}: expected a messages value with metadata.phone_number_id; ${describeIssues(parsed.error)}`)
    return
  }
  const v = parsed.data
  const phoneNumberId = v.metadata.phone_number_id
  const contacts = readContacts(v.contacts)

  for (const [i, raw] of listAt(v.messages, `${where}.messages`, sink).entries()) {
    if (sink.step()) yield
    const result = parseMessage(raw, { phoneNumberId, contacts, where: `${where}.messages[${i}]` })
    if (result.ok) sink.messages.push(result.message)
    else sink.reject(result.part.raw, () => result.part.reason)
  }
  for (const [i, raw] of listAt(v.statuses, `${where}.statuses`, sink).entries()) {
    if (sink.step()) yield
    readStatus(raw, phoneNumberId, `${where}.statuses[${i}]`, sink)
  }
  if (v.errors !== undefined && v.errors !== null) {
    // Value-level errors are Meta telling us something went wrong on its side (no message
    // or status to attach them to). They have no column of their own, so they go to the
    // quarantine where someone will see them.
    sink.reject(
      { metadata: isJsonObject(value) ? value.metadata : undefined, errors: v.errors },
      () => `${where}.errors: Meta reported errors outside any message or status (codes: ${errorCodes(v.errors)})`,
    )
  }
}

/** An absent list is empty; a list that is not an array is kept raw, and the rest goes on. */
function listAt(list: unknown, where: string, sink: Sink): unknown[] {
  if (list === undefined || list === null) return []
  if (Array.isArray(list)) return list
  sink.reject(list, () => `${where}: expected an array; got ${typeof list}`)
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
    const issues = () => (parsed.success ? '(itself): expected an object' : describeIssues(parsed.error))
    sink.reject(raw, () => `${where}: expected a status with id and status; ${issues()}`)
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
