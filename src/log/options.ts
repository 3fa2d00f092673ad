/**
 * The options of the one root logger (`main.ts`); tests and benchmarks that build a logger
 * use them too, so what they see is what production writes. Log lines carry ids, counts,
 * codes and durations, never personal data (DESIGN.md invariant 8): errors go through
 * {@link serializeError}; `redact` is the safety net for a field someone adds by mistake.
 */
import type { LogFn, Logger, LoggerOptions } from 'pino'
import { AtendeError } from '../errors.js'
import { serializeError } from './serialize-error.js'

const CENSOR = '[redacted]'

/** Personal data and secrets, wherever a log line might put them by mistake. */
const SENSITIVE_KEYS = [
  'phone', 'waId', 'wa_id', 'userId', 'from', 'to', 'profile', 'profileName', 'customer', 'contact', 'contacts',
  'text', 'body', 'caption', 'transcript', 'prompt',
  'token', 'accessToken', 'apiKey', 'appSecret', 'verifyToken', 'password', 'authorization', 'cookie',
]
const SENSITIVE_HEADERS = ['authorization', 'cookie', '["set-cookie"]', '["x-hub-signature-256"]', '["x-api-key"]']

/** pino `redact` paths: top level and one level down (`*.text`), and request headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_KEYS.flatMap((k) => [k, `*.${k}`]),
  ...['req.headers', 'headers', '*.headers'].flatMap((prefix) => SENSITIVE_HEADERS.map((h) => (h.startsWith('[') ? `${prefix}${h}` : `${prefix}.${h}`))),
]

/**
 * The values `from` and `to` may keep: the two queue runtimes, named by the `runtime
 * switched` line (invariant 7), whose field names are part of the operations contract.
 * Anything else under those keys (a phone number) is censored.
 */
const RUNTIME_NAMES: ReadonlySet<unknown> = new Set(['queues', 'in-process'])

function censor(value: unknown, path: string[]): unknown {
  const key = path.at(-1)
  return (key === 'from' || key === 'to') && RUNTIME_NAMES.has(value) ? value : CENSOR
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { err: serializeError, req: serializeRequest },
    redact: { paths: [...REDACT_PATHS], censor },
    formatters: { log: serializeNestedErrors },
    hooks: { logMethod: keepMessagesOurs },
  }
}

/**
 * Errors logged under another key than `err` (`{ reason: err }`, `{ errors: [a, b] }`) get
 * the same treatment; pino would print them whole.
 */
function serializeNestedErrors(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(object)) {
    if (key === 'err') continue // serializers.err; Fastify's child loggers keep it
    const safe = value instanceof Error ? serializeError(value) : Array.isArray(value) && value.some((v) => v instanceof Error)
      ? value.map((v: unknown) => (v instanceof Error ? serializeError(v) : v))
      : undefined
    if (safe === undefined) continue
    out ??= { ...object }
    out[key] = safe
  }
  return out ?? object
}

/**
 * pino makes an error's message the line's message when none is given (`log.error(err)`), and
 * Fastify passes `err.message` as the message on some paths: keep it only when it is ours.
 */
function keepMessagesOurs(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, second] = args as unknown[]
  const err = first instanceof Error ? first : (first as { err?: unknown } | null | undefined)?.err
  if (!(err instanceof Error) || err instanceof AtendeError) return method.apply(this, args)
  const object = first instanceof Error ? { err: first } : first
  if (typeof second !== 'string' || second === err.message) return method.call(this, object, 'error (message omitted)')
  return method.apply(this, args)
}

/** Method and path: the query string can hold the verify token, a path a customer's number. */
function serializeRequest(req: { method?: unknown; url?: unknown }): { method: unknown; url: string } {
  const path = typeof req.url === 'string' ? req.url.split('?')[0]! : ''
  return { method: req.method, url: path.replace(/\d{6,}/g, '[number]') }
}
