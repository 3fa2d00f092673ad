/**
 * Maps failed Graph API calls to {@link WhatsAppApiError}: whether trying again can help,
 * and how long to wait first. Codes are from Meta's "Error codes" page for the Cloud API.
 */
import { WhatsAppApiError } from '../errors.js'

/**
 * Throttling codes and how long to wait before the next try. The wait does not burn an
 * attempt (DESIGN.md, "Sending rate").
 */
const RATE_LIMIT_WAIT_MS: ReadonlyMap<number, number> = new Map([
  // Cloud API throughput: 80 msgs/s per number by default; the next second has room again.
  [130429, 1_000],
  // Pair rate limit: about one message every 6 s to the same customer.
  [131056, 6_000],
  // WhatsApp Business Account and app-level rate limits; these windows are much longer.
  [80007, 60_000],
  [4, 60_000],
])

/**
 * Refusals that say something about the number's standing with Meta rather than about one
 * message: 368 (temporarily blocked for policy violations), 131031 (account locked), 131048
 * (spam rate limit: too many messages blocked or reported), 131049 (not delivered to keep
 * the ecosystem healthy), 130497 (country restricted). An operator needs to hear of them.
 */
const QUALITY_CODES: ReadonlySet<number> = new Set([368, 131031, 131048, 131049, 130497])

export type MetaRefusalKind = 'rate_limit' | 'quality'

/** Whether Meta's code is a rate limit or a quality/account refusal (the alert rules), or neither. */
export function metaRefusalKind(metaCode: number | undefined): MetaRefusalKind | undefined {
  if (metaCode === undefined) return undefined
  if (RATE_LIMIT_WAIT_MS.has(metaCode)) return 'rate_limit'
  return QUALITY_CODES.has(metaCode) ? 'quality' : undefined
}

/** Wait after an HTTP 429 whose body names no code we know and that has no Retry-After. */
const DEFAULT_429_WAIT_MS = 1_000

/**
 * Codes Meta documents as temporary ("possibly a temporary issue due to downtime", "service
 * unavailable"), which sometimes arrive with a 4xx status.
 */
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2, 131000, 131016, 133004])

const MAX_TITLE_CHARS = 160

interface MetaError {
  code: number | undefined
  title: string | undefined
}

/** Response headers as undici gives them: lower-case names; a repeated header is an array. */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>

/** What {@link httpError} needs of a non-2xx response; the caller has read the body. */
export interface FailedResponse {
  status: number
  headers: ResponseHeaders
  /** The whole body as text; `''` when it could not be read. */
  body: string
}

/**
 * One header's value, repeated values joined with `, ` as the fetch `Headers.get` does;
 * `undefined` when absent.
 */
export function headerOf(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** An error for a response that arrived with a non-2xx status. */
export function httpError(operation: string, response: FailedResponse, secretValue: string): WhatsAppApiError {
  const meta = readMetaError(response.body)
  const status = response.status
  const described = meta.code === undefined ? 'no Meta error code' : `Meta code ${meta.code}`
  // Meta's title stays out of the message, which is logged: it can quote the request.
  const message = `WhatsApp ${operation} failed: HTTP ${status}, ${described}`
  const title = meta.title === undefined ? undefined : scrub(meta.title, secretValue)

  const rateWait = meta.code === undefined ? undefined : RATE_LIMIT_WAIT_MS.get(meta.code)
  if (rateWait !== undefined || status === 429) {
    const retryAfterMs = Math.max(rateWait ?? DEFAULT_429_WAIT_MS, retryAfterHeaderMs(response) ?? 0)
    return apiError(message, { metaCode: meta.code, metaTitle: title, httpStatus: status, retryable: true, retryAfterMs })
  }
  const retryable = status >= 500 || (meta.code !== undefined && TRANSIENT_CODES.has(meta.code))
  // Everything else, including 131047 (outside the 24 h window), 131026 (undeliverable),
  // 131051 (unsupported type) and 100 (invalid parameter), fails the same way next time.
  return apiError(message, { metaCode: meta.code, metaTitle: title, httpStatus: status, retryable, retryAfterMs: undefined })
}

/**
 * An error for a call that got no response: a timeout, the caller's abort, or the network.
 * All may succeed later, so all are retryable (the outbox decides what a lost send means).
 */
export function transportError(
  operation: string,
  err: unknown,
  how: { timedOut: boolean; callerAborted: boolean; timeoutMs: number; /** Aborted before the request began. */ abortedBeforeStart?: boolean },
): WhatsAppApiError {
  let message: string
  const code = networkCode(err)
  if (how.timedOut) message = `WhatsApp ${operation} timed out after ${how.timeoutMs} ms`
  else if (how.callerAborted) message = `WhatsApp ${operation} was aborted by the caller`
  else message = `WhatsApp ${operation} failed before a response (${code})`
  // Only a connection that was never made proves the send did not leave; after a timeout, an
  // abort or a lost connection Meta may have accepted it (invariant 6's window).
  const mayHaveSent = operation === 'send' && how.abortedBeforeStart !== true && !NEVER_CONNECTED.has(code)
  return new WhatsAppApiError(message, { retryable: true, mayHaveSent, cause: err })
}

/** Network errors raised before a request could be written: the send surely did not leave. */
const NEVER_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL',
])

/**
 * A send our own per-number limiter held back (send-limiter.ts): the number's next slot is
 * further away than the caller may wait. Retryable after `retryAfterMs` without spending an
 * attempt, the same answer a 130429 from Meta gets, without the round trip.
 */
export function heldBackError(operation: string, retryAfterMs: number): WhatsAppApiError {
  return new WhatsAppApiError(`WhatsApp ${operation} held back: the number's send rate allows its next message in ${retryAfterMs} ms`, {
    retryable: true,
    retryAfterMs,
  })
}

/** The caller aborted a send while it waited for its slot; nothing was sent. */
export function slotWaitAbortedError(reason: unknown): WhatsAppApiError {
  return new WhatsAppApiError('WhatsApp send was aborted while waiting for its slot', { retryable: true, cause: reason })
}

/** A 2xx response whose body is not what Meta documents. */
export function badResponseError(operation: string, expected: string, status: number): WhatsAppApiError {
  return new WhatsAppApiError(`WhatsApp ${operation} answered HTTP ${status} without ${expected}`, {
    httpStatus: status,
    retryable: true,
    // Meta accepted a send we cannot track: sending it again could duplicate it.
    mayHaveSent: operation === 'send',
  })
}

function apiError(
  message: string,
  d: { metaCode: number | undefined; metaTitle: string | undefined; httpStatus: number; retryable: boolean; retryAfterMs: number | undefined },
): WhatsAppApiError {
  return new WhatsAppApiError(message, {
    ...(d.metaCode === undefined ? {} : { metaCode: d.metaCode }),
    ...(d.metaTitle === undefined ? {} : { metaTitle: d.metaTitle }),
    httpStatus: d.httpStatus,
    retryable: d.retryable,
    ...(d.retryAfterMs === undefined ? {} : { retryAfterMs: d.retryAfterMs }),
  })
}

/** `{ error: { code, message, error_user_title?, error_data? } }`, or nothing usable. */
function readMetaError(text: string): MetaError {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { code: undefined, title: undefined } // an HTML error page from a proxy, say
  }
  const error = (body as { error?: unknown } | null)?.error
  if (error === null || typeof error !== 'object') return { code: undefined, title: undefined }
  const e = error as Record<string, unknown>
  const code = typeof e.code === 'number' && Number.isInteger(e.code) ? e.code : undefined
  const title = [e.error_user_title, e.title, e.message].find((t): t is string => typeof t === 'string' && t !== '')
  return { code, title }
}

/**
 * Meta's titles are short English sentences, but some quote parameters. Long digit runs
 * (phone numbers) are masked and the token is removed; text they quote stays, so the title
 * is stored with the failed part (`WhatsAppApiError.metaTitle`) and never logged.
 */
function scrub(title: string, secretValue: string): string {
  let t = secretValue === '' ? title : title.replaceAll(secretValue, '[redacted]')
  t = t.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]')
  return t.length > MAX_TITLE_CHARS ? `${t.slice(0, MAX_TITLE_CHARS)}…` : t
}

function retryAfterHeaderMs(response: FailedResponse): number | undefined {
  const header = headerOf(response.headers, 'retry-after')
  if (header === undefined || !/^\d{1,6}$/.test(header.trim())) return undefined
  return Number(header.trim()) * 1000
}

/**
 * `ECONNREFUSED` and the like, never a URL: undici's `request()` rejects with the socket's
 * or its own error (`code` on the error itself); fetch wrapped it as `fetch failed`'s cause.
 */
function networkCode(err: unknown): string {
  for (const e of [err, (err as { cause?: unknown } | null | undefined)?.cause]) {
    const code = (e as { code?: unknown } | null | undefined)?.code
    if (typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code)) return code
  }
  return err instanceof Error ? err.name : 'unknown error'
}
