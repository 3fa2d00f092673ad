/**
 * What of an error may reach the log (DESIGN.md invariant 8; issue #8, finding 3). Errors
 * quote what they failed on: Drizzle's "Failed query: … params: …" lists every bound value,
 * PostgreSQL's `detail` reads `Key (wamid)=(…) already exists`, the OpenAI SDK's message is
 * the response body (which may echo the prompt), `JSON.parse` quotes the text it choked on.
 * So this is an allowlist: only parts that are code, schema or protocol, never data.
 */
import { messages as pgliteMessages } from '@electric-sql/pglite'
import { APIError } from 'openai'
import pg from 'pg'
import { ZodError } from 'zod'
import { AtendeError, ImageTooLargeError, WhatsAppApiError } from '../errors.js'

/** An error as logged. Every field is optional except the class name. */
export interface SafeError {
  /** The class: `DrizzleQueryError`, `DatabaseError`, `AiProviderError`, `TimeoutError`'s `DOMException`… */
  type: string
  /** `err.name` when it says more than the class (`DOMException` → `TimeoutError`). */
  name?: string
  /** Ours (`ATD_…`), PostgreSQL's SQLSTATE, Node's and undici's (`ECONNREFUSED`, `UND_ERR_…`). */
  code?: string
  /** Ours only: an `AtendeError`'s message never quotes personal data (STYLE.md §4). */
  message?: string
  retryable?: boolean
  /** HTTP status of a failed call (OpenAI SDK) or of the answer an error maps to. */
  status?: number
  statusCode?: number
  metaCode?: number
  httpStatus?: number
  retryAfterMs?: number
  bytes?: number
  maxBytes?: number
  /** PostgreSQL's error fields that name the schema, not the data. */
  severity?: string
  schema?: string
  table?: string
  column?: string
  dataType?: string
  constraint?: string
  routine?: string
  /** Node's system errors: the failed call (`connect`). */
  syscall?: string
  /** The AI provider's request id, for its support. */
  requestId?: string
  /** zod: which fields failed and how, without the values. */
  issues?: Array<{ code: string; path: Array<string | number> }>
  /** The stack's frames under a header without the message: code locations only. */
  stack?: string
  cause?: SafeError
  /** `AggregateError`'s errors (undici's happy-eyeballs connect), the first few. */
  errors?: SafeError[]
}

/** Causes followed; a longer chain is cut (and cannot loop). */
const MAX_DEPTH = 5
const MAX_AGGREGATED = 5
const MAX_ISSUES = 10

const IDENTIFIER = /^[A-Za-z_$][\w$.-]{0,62}$/
const SQLSTATE = /^[0-9A-Z]{5}$/
/** Node's, undici's and other libraries' constant codes: upper-case words, never only digits. */
const CONSTANT_CODE = /^[A-Z][A-Z0-9_]{1,63}$/
/**
 * A frame line as V8 writes it: ends with a position (`file:12:3`, a wasm offset), or says
 * `native`, `<anonymous>` or `index N`. Anything else after the header is not a frame.
 */
const FRAME = /^ {4}at .*(?::\d+:\d+\)?|:0x[0-9a-f]+\)?|\(native\)|<anonymous>\)?|\(index \d+\))$/
const MESSAGE_OMITTED = '[message omitted]'

/** pino's `serializers.err`: anything thrown, reduced to its safe parts. */
export function serializeError(value: unknown): SafeError {
  return describe(value, 0)
}

function describe(value: unknown, depth: number): SafeError {
  if (!(value instanceof Error)) return { type: value === null ? 'null' : typeof value }
  const out: SafeError = { type: typeName(value) }
  if (value.name !== out.type && value.name.toLowerCase() !== 'error' && IDENTIFIER.test(value.name)) out.name = value.name
  if (value instanceof AtendeError) addOurs(out, value)
  else addTheirs(out, value)
  const stack = framesOf(value, `${out.type}: ${out.message ?? MESSAGE_OMITTED}`)
  if (stack !== undefined) out.stack = stack
  if (depth < MAX_DEPTH) {
    if (value.cause !== undefined) out.cause = describe(value.cause, depth + 1)
    if (value instanceof AggregateError && Array.isArray(value.errors)) {
      out.errors = value.errors.slice(0, MAX_AGGREGATED).map((e: unknown) => describe(e, depth + 1))
    }
  }
  return out
}

function typeName(err: Error): string {
  // PGlite ships minified: its DatabaseError's constructor is called `O`.
  if (err instanceof pgliteMessages.DatabaseError) return 'DatabaseError'
  const name = err.constructor?.name
  return typeof name === 'string' && IDENTIFIER.test(name) ? name : 'Error'
}

function addOurs(out: SafeError, err: AtendeError): void {
  out.code = err.code
  out.message = err.message
  out.retryable = err.retryable
  if (err instanceof WhatsAppApiError) {
    setNumber(out, 'metaCode', err.metaCode)
    setNumber(out, 'httpStatus', err.httpStatus)
    setNumber(out, 'retryAfterMs', err.retryAfterMs)
  }
  if (err instanceof ImageTooLargeError) {
    setNumber(out, 'bytes', err.bytes)
    setNumber(out, 'maxBytes', err.maxBytes)
  }
}

function addTheirs(out: SafeError, err: Error): void {
  const fields = err as unknown as Record<string, unknown>
  if (err instanceof pg.DatabaseError || err instanceof pgliteMessages.DatabaseError) {
    // `message`, `detail`, `hint`, `where` and `internalQuery` can quote values; these cannot.
    if (typeof fields.code === 'string' && SQLSTATE.test(fields.code)) out.code = fields.code
    for (const key of ['severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'] as const) {
      const v = fields[key]
      if (typeof v === 'string' && IDENTIFIER.test(v)) out[key] = v
    }
    return
  }
  if (err instanceof APIError) {
    // Everything else of it (`error`, `code`, `param`, `type`) is the response body.
    setStatus(out, 'status', err.status)
    if (typeof err.requestID === 'string' && /^[\w-]{1,100}$/.test(err.requestID)) out.requestId = err.requestID
    return
  }
  if (err instanceof ZodError) {
    out.issues = err.issues.slice(0, MAX_ISSUES).map((i) => ({ code: i.code, path: i.path.map(pathPart) }))
    return
  }
  if (typeof fields.code === 'string' && CONSTANT_CODE.test(fields.code)) out.code = fields.code
  if (typeof fields.syscall === 'string' && IDENTIFIER.test(fields.syscall)) out.syscall = fields.syscall
  setStatus(out, 'status', fields.status)
  setStatus(out, 'statusCode', fields.statusCode)
}

/** A path step of a zod issue: an index, or a key that looks like a field name. */
function pathPart(p: PropertyKey): string | number {
  if (typeof p === 'number') return p
  return typeof p === 'string' && IDENTIFIER.test(p) ? p : '?'
}

function setNumber(out: SafeError, key: 'metaCode' | 'httpStatus' | 'retryAfterMs' | 'bytes' | 'maxBytes', v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v)) out[key] = v
}

function setStatus(out: SafeError, key: 'status' | 'statusCode', v: unknown): void {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599) out[key] = v
}

/**
 * The stack without its first line(s), which repeat the message: `header` takes their place.
 * V8 writes `name: message` and then the frames; when the stack does not start that way (the
 * message was changed after the stack was taken), only lines shaped like frames are kept.
 */
function framesOf(err: Error, header: string): string | undefined {
  const stack = typeof err.stack === 'string' ? err.stack : ''
  const written = err.message === '' ? err.name : `${err.name}: ${err.message}`
  const rest = stack.startsWith(written) ? stack.slice(written.length) : stack
  const frames = rest.split('\n').filter((line) => FRAME.test(line))
  return frames.length === 0 ? undefined : [header, ...frames].join('\n')
}
