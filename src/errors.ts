/**
 * The catalogue of every error Atende throws. Codes are stable and never reused: callers,
 * tests and alerts match on `code`, not on wording (STYLE.md §4).
 */
export interface AtendeErrorOptions {
  cause?: unknown
  /** Whether trying the same work again later may succeed. @defaultValue false */
  retryable?: boolean
}

export class AtendeError extends Error {
  readonly code: string
  /** HTTP status when this error reaches a client; 500 means "not the client's fault". */
  readonly statusCode: number
  readonly retryable: boolean

  constructor(code: string, statusCode: number, message: string, options: AtendeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.statusCode = statusCode
    this.retryable = options.retryable ?? false
  }
}

export class ConfigError extends AtendeError {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super('ATD_CONFIG_INVALID', 500, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.problems = problems
  }
}

export class KnowledgeBaseError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_KNOWLEDGE_BASE_INVALID', 500, message, options)
  }
}

export class BadSignatureError extends AtendeError {
  constructor(message = 'X-Hub-Signature-256 is missing or does not match the body') {
    super('ATD_WEBHOOK_BAD_SIGNATURE', 401, message)
  }
}

export class MalformedJsonError extends AtendeError {
  constructor(options: AtendeErrorOptions = {}) {
    super('ATD_WEBHOOK_MALFORMED_JSON', 400, 'request body is not valid JSON', options)
  }
}

export class VerifyTokenError extends AtendeError {
  constructor() {
    super('ATD_WEBHOOK_BAD_VERIFY_TOKEN', 403, 'hub.verify_token does not match WHATSAPP_VERIFY_TOKEN')
  }
}

export class DatabaseUnavailableError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_DATABASE_UNAVAILABLE', 503, message, { retryable: true, ...options })
  }
}

export class BadRequestError extends AtendeError {
  constructor(message: string) {
    super('ATD_BAD_REQUEST', 400, message)
  }
}

export class UnauthorizedError extends AtendeError {
  constructor(message = 'a valid bearer token is required') {
    super('ATD_UNAUTHORIZED', 401, message)
  }
}

/**
 * A client failed the admin API's authentication too often: every request of it, even with
 * the right token, is refused until its window ends.
 */
export class AdminThrottledError extends AtendeError {
  /** Seconds until the client may try again (the `Retry-After` header). */
  readonly retryAfterSeconds: number
  constructor(retryAfterSeconds: number) {
    super('ATD_ADMIN_THROTTLED', 429, `too many failed admin authentications from this client; retry in ${retryAfterSeconds} s`)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

export class NotFoundError extends AtendeError {
  constructor(message: string) {
    super('ATD_NOT_FOUND', 404, message)
  }
}

/** A WhatsApp Cloud API call failed; `metaCode` is Meta's numeric error code when known. */
export class WhatsAppApiError extends AtendeError {
  readonly metaCode: number | undefined
  readonly httpStatus: number | undefined
  /** When set, try again after this delay without counting an attempt (rate limits). */
  readonly retryAfterMs: number | undefined
  /**
   * Meta's own words for the error (its title), numbers and token masked. Kept out of the
   * message, which is logged: Meta's titles can quote the request, the text included.
   */
  readonly metaTitle: string | undefined
  /**
   * A send whose request may have reached Meta and been accepted although we never read the
   * answer (a timeout or a connection lost after the request was written, a 2xx without a
   * message id). Its outbox row is `unknown`, never sent again blindly (invariant 6).
   */
  readonly mayHaveSent: boolean
  constructor(
    message: string,
    details: {
      metaCode?: number; httpStatus?: number; retryable: boolean; retryAfterMs?: number; metaTitle?: string; mayHaveSent?: boolean; cause?: unknown
    },
  ) {
    super('ATD_WHATSAPP_API', 502, message, { retryable: details.retryable, cause: details.cause })
    this.mayHaveSent = details.mayHaveSent ?? false
    this.metaCode = details.metaCode
    this.httpStatus = details.httpStatus
    this.retryAfterMs = details.retryAfterMs
    this.metaTitle = details.metaTitle
  }
}

export class AiProviderError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_AI_PROVIDER', 502, message, { retryable: true, ...options })
  }
}

/**
 * A picture refused before any work: over the byte cap (IMAGE_MAX_BYTES), or, for the code
 * reader, over its pixel cap per the image's header. The same bytes will never fit.
 */
export class ImageTooLargeError extends AtendeError {
  readonly bytes: number
  readonly maxBytes: number | undefined
  constructor(message: string, limits: { bytes: number; maxBytes?: number }) {
    super('ATD_IMAGE_TOO_LARGE', 413, message)
    this.bytes = limits.bytes
    this.maxBytes = limits.maxBytes
  }
}

/**
 * Media larger than the caller's cap, refused on its Content-Length before the body is
 * read, or as soon as the bytes counted while it streams pass the cap. The same media will
 * never fit, so it is not retryable.
 */
export class MediaTooLargeError extends AtendeError {
  /** The declared size, or the bytes read when the count passed the cap: at least this many. */
  readonly bytes: number
  readonly maxBytes: number
  constructor(message: string, limits: { bytes: number; maxBytes: number }) {
    super('ATD_MEDIA_TOO_LARGE', 413, message)
    this.bytes = limits.bytes
    this.maxBytes = limits.maxBytes
  }
}

/** Why a media URL was not fetched; see {@link MediaUrlRefusedError}. */
export type MediaUrlRefusal = 'protocol' | 'host' | 'private-address' | 'redirects'

/**
 * A media URL we will not send the Graph API token to: not https (or http when the API
 * itself is), a host outside the API's and WHATSAPP_MEDIA_HOSTS, a name that resolves to a
 * private address, or too many redirects. Not retryable: the same answer comes back.
 */
export class MediaUrlRefusedError extends AtendeError {
  readonly reason: MediaUrlRefusal
  constructor(message: string, reason: MediaUrlRefusal) {
    super('ATD_MEDIA_URL_REFUSED', 502, message)
    this.reason = reason
  }
}

/** A picture the vision model cannot take (empty, or not JPEG/PNG/WebP/GIF): retrying will not help. */
export class UnsupportedImageError extends AtendeError {
  constructor(message: string) {
    super('ATD_IMAGE_UNSUPPORTED', 415, message)
  }
}

export class QueueUnavailableError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_QUEUE_UNAVAILABLE', 503, message, { retryable: true, ...options })
  }
}

/** The bytes are not a PNG or JPEG we can decode (unknown format, truncated or corrupt). */
export class ImageUnreadableError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_IMAGE_UNREADABLE', 422, message, options)
  }
}

/**
 * Decoding one image took longer than its bound; the worker thread was replaced. Not
 * retryable: decoding is deterministic, the same image would stall again.
 */
export class ImageReadTimeoutError extends AtendeError {
  constructor(timeoutMs: number) {
    super('ATD_IMAGE_READ_TIMEOUT', 500, `decoding the image took longer than ${timeoutMs} ms; the worker thread was replaced`)
  }
}

/** A decoding worker thread failed (crashed, or could not start); the pool replaces it. */
export class CodeReaderError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_CODE_READER_FAILED', 500, message, { retryable: true, ...options })
  }
}

export class CodeReaderClosedError extends AtendeError {
  constructor() {
    super('ATD_CODE_READER_CLOSED', 503, 'the code reader is closed', { retryable: true })
  }
}

/**
 * An action the conversation's status does not accept (release of a conversation the bot
 * has, resolve of a closed one): 409 with the lifecycle's code, never a silent 200.
 */
export class ConversationStateError extends AtendeError {
  constructor(code: 'ATD_CONVERSATION_NOT_IN_HANDOFF' | 'ATD_CONVERSATION_CLOSED' | 'ATD_CONVERSATION_WRONG_STATE', message: string) {
    super(code, 409, message)
  }
}

export function isAtendeError(err: unknown): err is AtendeError {
  return err instanceof AtendeError
}

/** An outbound payload (text, template, interactive) that Meta would refuse for its shape. */
export class InvalidOutboundContentError extends AtendeError {
  readonly issues: readonly string[]
  constructor(issues: readonly string[]) {
    super('ATD_OUTBOUND_INVALID', 400, `outbound message is not valid: ${issues.join('; ')}`)
    this.issues = issues
  }
}

/** The same `Idempotency-Key` was used again for a different message in this conversation. */
export class IdempotencyKeyReusedError extends AtendeError {
  constructor() {
    super('ATD_IDEMPOTENCY_KEY_REUSED', 409, 'this Idempotency-Key was already used for a different message in this conversation')
  }
}
