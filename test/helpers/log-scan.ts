/**
 * The log-privacy scan (issue #8, finding 3; DESIGN.md invariant 8): every line a real
 * `atende` process writes is checked for the personal data of the test — each phone number,
 * business-scoped user id, profile name and message text it was sent or sent out — and for
 * anything shaped like a Brazilian phone number. `startAtende` runs it on `stop()`, so every
 * end-to-end test is covered without asking.
 * @internal test-only
 */

/**
 * A Brazilian number as WhatsApp writes it: 55, a two-digit area code, 8 or 9 digits, not
 * inside a longer run of digits (a millisecond timestamp, a hash).
 */
export const BRAZILIAN_PHONE = /(?<![0-9])55[1-9][0-9]{9,10}(?![0-9])/g

/**
 * Shorter strings are too common to mean anything ("Oi" is in "Oito"); tests use longer
 * names and texts. Phone numbers are caught by {@link BRAZILIAN_PHONE} whatever their length.
 */
export const MIN_SENSITIVE_CHARS = 5

/**
 * The one exception, and why: the `console` WhatsApp transport is the development transport
 * (README, "Logs"); it prints each reply's text on its `reply sent to console` line, on
 * purpose, and never runs with real customers. Only that field of that line is skipped; the
 * rest of the line is scanned like any other.
 */
export const CONSOLE_REPLY_EXCEPTION = { component: 'whatsapp-console', msg: 'reply sent to console', field: 'reply' } as const

export interface LogFinding {
  /** `stdout:12` or `stderr:3` (1-based). */
  where: string
  /** What matched: the sensitive string, or the phone number. */
  match: string
  line: string
}

export interface LogScan {
  /** Lines scanned (stdout and stderr). */
  lines: number
  findings: LogFinding[]
}

/** Keys of a Cloud API webhook whose string values are personal data. */
const PERSONAL_KEYS = new Set(['from', 'to', 'wa_id', 'recipient_id', 'from_user_id', 'user_id', 'body', 'text', 'caption'])

/**
 * Every personal string in a Cloud API payload (a webhook we post, or a send Atende made):
 * numbers and ids of customers, profile names, texts and captions. Walks the whole value, so
 * batches, statuses and new message types are covered without a list of shapes.
 */
export function personalStrings(payload: unknown): string[] {
  const out = new Set<string>()
  const walk = (value: unknown, key: string | undefined, parentKey: string | undefined): void => {
    if (typeof value === 'string') {
      if ((key !== undefined && PERSONAL_KEYS.has(key)) || (key === 'name' && parentKey === 'profile')) out.add(value)
      return
    }
    if (Array.isArray(value)) return value.forEach((v) => walk(v, key, parentKey))
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, k, key)
    }
  }
  walk(payload, undefined, undefined)
  return [...out]
}

/**
 * Scans log lines for personal data. A line is checked as written and, when it is JSON,
 * with {@link CONSOLE_REPLY_EXCEPTION}'s field removed; strings are looked for both raw and
 * JSON-escaped, as they would appear inside a JSON string.
 */
export function scanLogLines(lines: ReadonlyArray<{ stream: 'stdout' | 'stderr'; text: string }>, sensitive: Iterable<string>): LogScan {
  const needles = [...new Set(sensitive)].filter((s) => s.length >= MIN_SENSITIVE_CHARS)
  const findings: LogFinding[] = []
  const counters = { stdout: 0, stderr: 0 }
  for (const { stream, text } of lines) {
    counters[stream] += 1
    const where = `${stream}:${counters[stream]}`
    const scanned = withoutConsoleReply(text)
    for (const needle of needles) {
      if (scanned.includes(needle) || scanned.includes(JSON.stringify(needle).slice(1, -1))) findings.push({ where, match: needle, line: text })
    }
    for (const m of scanned.matchAll(BRAZILIAN_PHONE)) {
      if (!needles.includes(m[0])) findings.push({ where, match: m[0], line: text })
    }
  }
  return { lines: lines.length, findings }
}

/** An error that quotes the first findings, so the failing test shows the offending line. */
export function logPrivacyError(scan: LogScan, label: string): Error {
  const byLine = new Map<string, LogFinding[]>()
  for (const f of scan.findings) byLine.set(f.where, [...(byLine.get(f.where) ?? []), f])
  const shown = [...byLine].slice(0, 5).map(([where, found]) =>
    `  ${where} carries ${found.map((f) => JSON.stringify(f.match)).join(', ')}:\n    ${found[0]!.line.slice(0, 2_000)}`)
  return new Error(`${label}: ${byLine.size} of ${scan.lines} log lines carry personal data of the test:\n${shown.join('\n')}`)
}

function withoutConsoleReply(text: string): string {
  if (!text.includes(CONSOLE_REPLY_EXCEPTION.msg)) return text
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return text
  }
  const line = parsed as Record<string, unknown>
  if (line.component !== CONSOLE_REPLY_EXCEPTION.component || line.msg !== CONSOLE_REPLY_EXCEPTION.msg) return text
  const { [CONSOLE_REPLY_EXCEPTION.field]: _reply, ...rest } = line
  return JSON.stringify(rest)
}
