/**
 * What the rest of Atende knows of WhatsApp: parsed inbound messages and statuses, and the
 * client that talks back. `waId` appears only inside this folder; outside it a customer is
 * a `CustomerRef`.
 */
import type { OutboundContent } from '../domain/index.js'

/** Who wrote: a phone-based `waId`, or (newer payloads) only a business-scoped `userId`. */
export interface CustomerRef {
  waId: string | undefined
  userId: string | undefined
  profileName: string | undefined
}

export interface MediaRef {
  id: string
  mimeType: string | undefined
  sha256: string | undefined
  caption: string | undefined
  filename: string | undefined
  /** Audio: whether it was recorded as a voice note. */
  voice?: boolean | undefined
}

/** Types we understand; anything else arrives as its own string and is stored as such. */
export type KnownMessageType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'reaction'
  | 'interactive'
  | 'button'
  | 'unsupported'

export interface InboundMessage {
  /** The business number that received it (`metadata.phone_number_id`). */
  phoneNumberId: string
  wamid: string
  customer: CustomerRef
  type: string
  /** Text body, caption, or the title of a tapped button / list row. */
  text: string | undefined
  media: MediaRef | undefined
  /** Type-specific fields with no column of their own (location, contacts, reaction, interactive, errors, context). */
  payload: Record<string, unknown> | undefined
  /** Meta's timestamp; one-second resolution, so never used for ordering. */
  sentAt: Date
}

export interface StatusUpdate {
  phoneNumberId: string
  wamid: string
  status: string
  recipient: string | undefined
  occurredAt: Date | undefined
  errors: unknown[] | undefined
  /** What we passed as `biz_opaque_callback_data` when sending (the outbox row id). */
  bizOpaqueCallbackData: string | undefined
  raw: Record<string, unknown>
}

/** A signed part of a webhook we could not understand, kept raw for the quarantine table. */
export interface UnparsedPart {
  reason: string
  raw: unknown
}

export interface ParsedWebhook {
  messages: InboundMessage[]
  statuses: StatusUpdate[]
  /** The unparsed parts kept whole, the first ones up to the parser's `keepUnparsed`. */
  unparsed: UnparsedPart[]
  /** Every unparsed part, kept whole or only counted. */
  unparsedCount: number
  /** Values nested deeper than `MAX_JSON_DEPTH`, replaced by `CUT_MARKER` in the parts above. */
  cutValues: number
}

export interface SendTextInput {
  phoneNumberId: string
  to: CustomerRef
  text: string
  /** Quote this inbound message in the reply. */
  replyToWamid?: string | undefined
  /** Echoed back by Meta in the status webhooks of this message. */
  bizOpaqueCallbackData?: string | undefined
  signal?: AbortSignal | undefined
}

/** Any outbound payload: a text, an approved template, or reply buttons / a list. */
export interface SendInput {
  phoneNumberId: string
  to: CustomerRef
  content: OutboundContent
  /** Echoed back by Meta in the status webhooks of this message (`out:<outbox row id>`). */
  bizOpaqueCallbackData?: string | undefined
  signal?: AbortSignal | undefined
}

export interface MarkReadInput {
  phoneNumberId: string
  wamid: string
  signal?: AbortSignal | undefined
}

export interface DownloadMediaOptions {
  /**
   * Largest media accepted, in bytes: a larger Content-Length is refused before the body is
   * read, and a body that streams past it is cut off (`MediaTooLargeError`). Each kind of
   * media has its own cap (pictures: IMAGE_MAX_BYTES).
   */
  maxBytes: number
  signal?: AbortSignal | undefined
}

export interface DownloadedMedia {
  bytes: Buffer
  mimeType: string | undefined
}

export interface WhatsAppClient {
  readonly transport: 'cloud' | 'console'
  /** Sends one text message (≤ 4,096 chars; split longer replies first). Resolves to Meta's wamid. */
  sendText(input: SendTextInput): Promise<{ wamid: string }>
  /** Sends one outbox payload (text, template or interactive), already validated by the store. Resolves to Meta's wamid. */
  send(input: SendInput): Promise<{ wamid: string }>
  markRead(input: MarkReadInput): Promise<void>
  /** The media's bytes, by the id a webhook gave; never more than `options.maxBytes`. */
  downloadMedia(mediaId: string, options: DownloadMediaOptions): Promise<DownloadedMedia>
}
