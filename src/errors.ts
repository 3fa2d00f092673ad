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

/** At start, the PostgreSQL of DATABASE_URL refused us or could not be reached: the operator's to fix. */
export class DatabaseUnreachableError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_DATABASE_UNREACHABLE', 500, message, options)
  }
}

/** The PGlite directory is open in another process: two would corrupt it. */
export class DataDirLockedError extends AtendeError {
  constructor(message: string) {
    super('ATD_DATA_DIR_LOCKED', 500, message)
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
  constructor(message = 'hub.verify_token does not match WHATSAPP_VERIFY_TOKEN') {
    super('ATD_WEBHOOK_BAD_VERIFY_TOKEN', 403, message)
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

/** A dashboard login with a token that is neither ADMIN_TOKEN nor one of AGENT_TOKENS. */
export class LoginFailedError extends AtendeError {
  constructor() {
    super('ATD_DASHBOARD_LOGIN_FAILED', 401, 'the token is not valid; expected ADMIN_TOKEN or an agent token of AGENT_TOKENS')
  }
}

/** A dashboard request without a valid session (JSON clients; pages are redirected to the login). */
export class SessionRequiredError extends AtendeError {
  constructor() {
    super('ATD_DASHBOARD_SESSION_REQUIRED', 401, 'log in first: POST /admin/login')
  }
}

/** A dashboard mutation without the session's CSRF token, or from another origin. */
export class CsrfRefusedError extends AtendeError {
  constructor(message: string) {
    super('ATD_DASHBOARD_CSRF', 403, message)
  }
}

/** An agent's session asked for something only the admin may see or do. */
export class DashboardForbiddenError extends AtendeError {
  constructor(message = 'agents may use the inbox only; log in with ADMIN_TOKEN for this page') {
    super('ATD_DASHBOARD_FORBIDDEN', 403, message)
  }
}

/** The simulator is off (SIMULATOR_ENABLED=false, the production default). */
export class SimulatorDisabledError extends AtendeError {
  constructor() {
    super('ATD_SIMULATOR_DISABLED', 404, 'the simulator is disabled; set SIMULATOR_ENABLED=true to use it')
  }
}

/** The simulated message was not accepted by the webhook (its answer's code is in the message). */
export class SimulatorIngestError extends AtendeError {
  constructor(message: string) {
    super('ATD_SIMULATOR_INGEST', 422, message)
  }
}

/** More live dashboard streams than one process serves at once. */
export class DashboardBusyError extends AtendeError {
  constructor(limit: number) {
    super('ATD_DASHBOARD_BUSY', 503, `this process already serves ${limit} live dashboard streams; retry later`, { retryable: true })
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

/** Bytes that are not a PDF whose text layer can be read (not a PDF, corrupt, encrypted). Retrying will not help. */
export class PdfUnreadableError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_PDF_UNREADABLE', 422, message, options)
  }
}

/** Reading one PDF took longer than PDF_TIMEOUT_MS; its worker thread was replaced. Deterministic: not retryable. */
export class PdfReadTimeoutError extends AtendeError {
  constructor(timeoutMs: number) {
    super('ATD_PDF_READ_TIMEOUT', 500, `reading the PDF took longer than ${timeoutMs} ms; the worker thread was replaced`)
  }
}

/**
 * One page of a PDF whose text layer or rendering threw (a malformed page, a pdf.js or canvas
 * failure). Reported beside what the other pages held, never thrown: the same bytes fail the
 * same way, so retrying cannot help (decision 0032). `reason` is the failure's class, code and
 * message as far as they are safe to log, never the document's bytes or text.
 */
export class PdfPageError extends AtendeError {
  /** 1-based. */
  readonly page: number
  /** The pass that failed: the page's text layer, or its rendering and barcode search. */
  readonly stage: 'text' | 'render'
  readonly reason: string
  constructor(failure: { page: number; stage: 'text' | 'render'; reason: string }) {
    super('ATD_PDF_PAGE_FAILED', 422, `page ${failure.page} of the PDF could not be ${failure.stage === 'text' ? 'read as text' : 'rendered'} (${failure.reason})`)
    this.page = failure.page
    this.stage = failure.stage
    this.reason = failure.reason
  }
}

/** A PDF worker thread failed (crashed, could not start, or the reader is closing). */
export class PdfReaderError extends AtendeError {
  constructor(message: string, options: AtendeErrorOptions = {}) {
    super('ATD_PDF_READER_FAILED', 500, message, { retryable: true, ...options })
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

/** A learning proposal was already approved or rejected: it is reviewed once (issue #9, milestone D). */
export class LearningProposalStateError extends AtendeError {
  constructor(id: number, status: string) {
    super('ATD_LEARNING_PROPOSAL_NOT_PENDING', 409, `learning proposal ${id} is ${status}; only a pending proposal can be approved or rejected`)
  }
}

/**
 * The text to be approved still holds personal data (CPF/CNPJ, a phone number, an e-mail, a
 * linha digitável, the customer's name): the reviewer removes it, or approves with
 * `allowPersonalData: true` (decision 0016). The message names kinds and spans, never values.
 */
export class LearningPersonalDataError extends AtendeError {
  constructor(found: string) {
    super('ATD_LEARNING_PERSONAL_DATA', 409, `the text still holds personal data (${found}); edit it out, or send allowPersonalData: true`)
  }
}

/** An approval that would teach the bot an entry without a question, an answer or a known department. */
export class LearningProposalIncompleteError extends AtendeError {
  constructor(problems: readonly string[]) {
    super('ATD_LEARNING_PROPOSAL_INCOMPLETE', 400, `cannot approve: ${problems.join('; ')}`)
  }
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

/**
 * A free-form message outside Meta's 24 h customer-service window (counted from Meta's
 * timestamp of the customer's last message): Meta would refuse it (131047). Only an approved
 * template may go.
 */
export class OutsideServiceWindowError extends AtendeError {
  constructor(windowMs: number) {
    super(
      'ATD_OUTSIDE_SERVICE_WINDOW',
      409,
      `the customer's last message is older than ${windowMs / 3_600_000} h: only a template may be sent ({ "template": { "name", "language", "parameters" } })`,
    )
  }
}

/** A request body over the route's limit. */
export class BodyTooLargeError extends AtendeError {
  constructor(limitBytes: number) {
    super('ATD_BODY_TOO_LARGE', 413, `request body is larger than ${limitBytes} bytes`)
  }
}
