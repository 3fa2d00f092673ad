import type { z } from 'zod'
import type { CustomerRef, InboundMessage, MediaRef, UnparsedPart } from './types.js'
import {
  buttonSchema,
  contactsCardSchema,
  describeIssues,
  interactiveBaseSchema,
  locationSchema,
  mediaSchema,
  messageBaseSchema,
  reactionSchema,
  replyChoiceSchema,
  safeTypeName,
  textSchema,
  type Contact,
  type MessageBase,
} from './webhook-schema.js'

/** A change's contacts by id: a delivery of thousands of messages must not search a list per message. */
export interface ContactIndex {
  byWaId: ReadonlyMap<string, Contact>
  byUserId: ReadonlyMap<string, Contact>
}

/** Where a message sits in its change, and what the change tells about it. */
export interface MessageContext {
  phoneNumberId: string
  contacts: ContactIndex
  /** e.g. `entry[0].changes[1].value.messages[2]`, for reasons. */
  where: string
}

export type MessageResult = { ok: true; message: InboundMessage } | { ok: false; part: UnparsedPart }

/** What a type contributes beyond the common fields. */
interface TypeFields {
  text?: string | undefined
  media?: MediaRef | undefined
  payload?: Record<string, unknown> | undefined
}

type TypeResult = { ok: true; fields: TypeFields } | { ok: false; reason: string }

const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'document', 'sticker'])

/** Validates one entry of `value.messages[]`; a failure concerns this message only. */
export function parseMessage(raw: unknown, ctx: MessageContext): MessageResult {
  const base = messageBaseSchema.safeParse(raw)
  if (!base.success) {
    const type = safeTypeName((raw as { type?: unknown } | null)?.type)
    return fail(raw, `${ctx.where}: expected a message with id, timestamp, type and a sender (type ${type}); ${describeIssues(base.error)}`)
  }
  const record = raw as Record<string, unknown>
  const m = base.data
  const typed = parseTypeFields(m.type, record)
  if (!typed.ok) return fail(raw, `${ctx.where}: ${typed.reason}`)

  const common: Record<string, unknown> = {}
  if (m.context !== undefined) common.context = m.context
  if (m.referral !== undefined) common.referral = m.referral
  if (m.errors !== undefined) common.errors = m.errors
  const payload = { ...common, ...typed.fields.payload }

  return {
    ok: true,
    message: {
      phoneNumberId: ctx.phoneNumberId,
      wamid: m.id,
      customer: customerOf(m, ctx.contacts),
      type: m.type,
      text: typed.fields.text,
      media: typed.fields.media,
      payload: Object.keys(payload).length > 0 ? payload : undefined,
      sentAt: m.timestamp,
    },
  }
}

function fail(raw: unknown, reason: string): MessageResult {
  return { ok: false, part: { reason, raw } }
}

function customerOf(m: MessageBase, contacts: ContactIndex): CustomerRef {
  const contact =
    (m.from === undefined ? undefined : contacts.byWaId.get(m.from)) ??
    (m.from_user_id === undefined ? undefined : contacts.byUserId.get(m.from_user_id))
  return { waId: m.from, userId: m.from_user_id, profileName: contact?.profile?.name }
}

function parseTypeFields(type: string, record: Record<string, unknown>): TypeResult {
  if (MEDIA_TYPES.has(type)) return parseMedia(type, record[type])
  switch (type) {
    case 'text':
      return check(type, 'text.body (string)', textSchema, record.text, (t) => ({ text: t.body }))
    case 'location':
      return check(type, 'location.latitude and location.longitude (numbers)', locationSchema, record.location, (location) => ({
        payload: { location },
      }))
    case 'contacts':
      return check(type, 'a non-empty contacts array of objects', contactsCardSchema, record.contacts, (contacts) => ({
        payload: { contacts },
      }))
    case 'reaction':
      return check(type, 'reaction.message_id (string)', reactionSchema, record.reaction, (reaction) => ({
        payload: { reaction },
      }))
    case 'button':
      return check(type, 'button.text (string)', buttonSchema, record.button, (button) => ({
        text: button.text,
        payload: { button },
      }))
    case 'interactive':
      return parseInteractive(record.interactive)
    case 'unsupported':
      // Meta explains why in `errors` (kept by the caller) and, lately, names the type here.
      return { ok: true, fields: { payload: record.unsupported === undefined ? {} : { unsupported: record.unsupported } } }
    default:
      // A type Meta added after this code was written: keep all of it, decide later.
      return { ok: true, fields: { payload: { raw: record } } }
  }
}

function check<S extends z.ZodType>(
  type: string,
  expected: string,
  schema: S,
  value: unknown,
  toFields: (data: z.output<S>) => TypeFields,
): TypeResult {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    return { ok: false, reason: `a message of type '${type}' needs ${expected}; ${describeIssues(parsed.error, type)}` }
  }
  return { ok: true, fields: toFields(parsed.data) }
}

function parseMedia(type: string, value: unknown): TypeResult {
  return check(type, `${type}.id (string)`, mediaSchema, value, (media) => ({
    text: media.caption,
    media: {
      id: media.id,
      mimeType: media.mime_type,
      sha256: media.sha256,
      caption: media.caption,
      filename: media.filename,
      ...(type === 'audio' ? { voice: media.voice ?? false } : {}),
    },
    payload: type === 'sticker' && media.animated != null ? { animated: media.animated } : undefined,
  }))
}

/**
 * A tapped reply button or list row: the title is what the customer saw and "said", the id
 * is what we put there when sending (kept in the payload). Other interactive replies (Flows'
 * `nfm_reply`, future ones) keep their whole object.
 */
function parseInteractive(value: unknown): TypeResult {
  const base = interactiveBaseSchema.safeParse(value)
  if (!base.success) {
    const issues = describeIssues(base.error, 'interactive')
    return { ok: false, reason: `a message of type 'interactive' needs interactive.type (string); ${issues}` }
  }
  const subtype = base.data.type
  if (subtype !== 'button_reply' && subtype !== 'list_reply') {
    return { ok: true, fields: { payload: { interactive: value } } }
  }
  const choice = replyChoiceSchema.safeParse((value as Record<string, unknown>)[subtype])
  if (!choice.success) {
    return {
      ok: false,
      reason: `an interactive '${subtype}' needs ${subtype}.id and ${subtype}.title (strings); ${describeIssues(choice.error, `interactive.${subtype}`)}`,
    }
  }
  const { id, title, description } = choice.data
  return {
    ok: true,
    fields: {
      text: title,
      payload: { interactive: { type: subtype, id, title, ...(description === undefined ? {} : { description }) } },
    },
  }
}
