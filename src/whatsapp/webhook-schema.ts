/**
 * zod schemas for the parts of Meta's WhatsApp Cloud API webhook we read. Each level is
 * validated on its own (envelope, entry, change, message, status) so that one odd part
 * fails alone and the rest of the POST still parses (DESIGN.md, invariant 1).
 *
 * Schemas are deliberately loose about fields we do not read: Meta adds fields often, and
 * an unknown field must never turn a good message into a quarantined one.
 */
import { z } from 'zod'

/** Absent, `null` and (for ids) empty all mean "not given". */
const optionalString = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === '' ? undefined : v))

/**
 * Longest id we take (wamids, phone number ids, wa_ids, user ids). Meta's are under 100
 * characters; ids are unique-indexed, and PostgreSQL refuses an index entry over ~2,700 bytes.
 */
export const MAX_ID_CHARS = 256

/** An id: a non-empty string of at most {@link MAX_ID_CHARS}. */
const id = z.string().min(1).max(MAX_ID_CHARS)

/** An id that may be absent; `null` and empty mean "not given" too. */
const optionalId = z
  .string()
  .max(MAX_ID_CHARS)
  .nullish()
  .transform((v) => (v === null || v === '' ? undefined : v))

const jsonObject = z.record(z.string(), z.unknown())

/**
 * 9999-12-31T23:59:59Z: the last second both a JS Date and PostgreSQL's timestamptz accept
 * as a plain four-digit year (PostgreSQL refuses the `+033658-…` form JS writes past it).
 */
export const MAX_UNIX_SECONDS = 253_402_300_799

/** Meta sends unix seconds as a string of digits; a bare number is accepted too. */
export const unixSeconds = z
  .preprocess(
    (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v),
    z
      .string()
      .regex(/^\d{1,12}$/, 'expected unix seconds as a string of digits')
      .refine((v) => Number(v) <= MAX_UNIX_SECONDS, `expected unix seconds up to ${MAX_UNIX_SECONDS} (year 9999)`),
  )
  .transform((v) => new Date(Number(v) * 1000))

export const envelopeSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.unknown()),
})

export const entrySchema = z.object({ changes: z.array(z.unknown()) })

export const changeSchema = z.object({ field: z.string(), value: z.unknown().optional() })

export const messagesValueSchema = z.object({
  metadata: z.object({ phone_number_id: id, display_phone_number: optionalString }),
  contacts: z.unknown().optional(),
  messages: z.unknown().optional(),
  statuses: z.unknown().optional(),
  errors: z.unknown().optional(),
})

export const contactSchema = z.object({
  wa_id: optionalId,
  user_id: optionalId,
  profile: z.object({ name: optionalString }).nullish(),
})
export type Contact = z.infer<typeof contactSchema>

export const messageBaseSchema = z
  .object({
    id,
    timestamp: unixSeconds,
    type: z.string().min(1),
    from: optionalId,
    from_user_id: optionalId,
    context: jsonObject.optional(),
    referral: jsonObject.optional(),
    errors: z.array(z.unknown()).optional(),
  })
  .refine((m) => m.from !== undefined || m.from_user_id !== undefined, {
    message: 'expected from (wa_id) or from_user_id; got neither',
    path: ['from'],
  })
export type MessageBase = z.infer<typeof messageBaseSchema>

export const mediaSchema = z.object({
  id: z.string().min(1),
  mime_type: optionalString,
  sha256: optionalString,
  caption: optionalString,
  filename: optionalString,
  voice: z.boolean().nullish(),
  animated: z.boolean().nullish(),
})

export const textSchema = z.object({ body: z.string() })

export const locationSchema = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: optionalString,
  address: optionalString,
  url: optionalString,
})

export const contactsCardSchema = z.array(jsonObject).min(1)

/** `emoji` is absent when the customer removes a reaction. */
export const reactionSchema = z.object({ message_id: z.string().min(1), emoji: optionalString })

export const buttonSchema = z.object({ text: z.string(), payload: optionalString })

export const interactiveBaseSchema = z.object({ type: z.string() })
export const replyChoiceSchema = z.object({ id: z.string(), title: z.string(), description: optionalString })

export const statusSchema = z.object({
  id,
  status: z.string().min(1),
  timestamp: unixSeconds.optional(),
  recipient_id: optionalId,
  recipient_user_id: optionalId,
  biz_opaque_callback_data: optionalString,
  errors: z.array(z.unknown()).optional(),
})

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

const MAX_ISSUES_IN_REASON = 3

/**
 * "path: what was expected, what arrived" for the first few issues. zod's messages name
 * types and allowed values, never the received value, so no phone number or text leaks.
 */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  const shown = error.issues.slice(0, MAX_ISSUES_IN_REASON).map((issue) => {
    const path = prefix + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
    return `${path === '' ? '(itself)' : path.replace(/^\./, '')}: ${issue.message}`
  })
  const more = error.issues.length - shown.length
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ')
}

/** A type name is echoed in reasons only when it looks like one, never arbitrary text. */
export function safeTypeName(type: unknown): string {
  return typeof type === 'string' && /^[a-z_]{1,40}$/.test(type) ? `'${type}'` : 'unknown'
}
