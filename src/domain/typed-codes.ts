/**
 * Payment codes typed or pasted into a text message: a linha digitável (47 or 48 digits,
 * with or without dots and spaces), a 44-digit barcode, or a PIX copia-e-cola. Read by the
 * same validated parsers as the codes in pictures; a code that fails its checks is reported
 * with the part that looks wrong and never yields an amount.
 */
import { parseBoleto, type BoletoCheck, type BoletoError } from './boleto.js'
import type { ImageFinding } from './image-analysis.js'
import { MAX_PIX_INPUT_CHARS, parsePixCode, type PixError } from './pix.js'

export type CodeRefusal =
  | { kind: 'boleto'; reason: BoletoError['reason']; check?: BoletoCheck; digits: number }
  | { kind: 'pix'; reason: PixError['reason'] }

export interface TypedCodes {
  /** Codes whose checks pass, in the order they appear. */
  findings: ImageFinding[]
  /** Codes that look like an attempt but fail their checks. */
  refused: CodeRefusal[]
  /** The text with every code cut out, for whatever else the customer wrote. */
  rest: string
}

/** Digits and the separators people type between them; 40+ digits is a code attempt, not a phone number or a CPF. */
const DIGIT_RUN = /\d(?:[\s.\-]*\d){39,59}/g
/** Where a BR Code starts (ID 00 = "01"); it ends at its CRC field, ID 63 of length 04. */
const PIX_START = '000201'
const PIX_CRC = /6304[0-9A-Fa-f]{4}/g
/** Longest text searched: a burst of messages rarely holds more, and the search stays linear. */
const MAX_SCANNED_CHARS = 16_000

/** `source`: 'pdf' when the text is a PDF's text layer. */
export function findTypedCodes(text: string, today?: string, source: 'typed' | 'pdf' = 'typed'): TypedCodes {
  const findings: ImageFinding[] = []
  const refused: CodeRefusal[] = []
  let rest = text.slice(0, MAX_SCANNED_CHARS)

  for (let start = rest.indexOf(PIX_START); start >= 0; start = rest.indexOf(PIX_START, start + 1)) {
    const read = readPixAt(rest, start)
    if (read === undefined) continue
    if (read.ok) findings.push({ kind: 'pix', source, pix: read.pix })
    else refused.push({ kind: 'pix', reason: read.reason })
    rest = `${rest.slice(0, start)} ${rest.slice(read.end)}`
  }

  rest = rest.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '').length
    const parsed = parseBoleto(run, { today })
    if (parsed.ok) findings.push({ kind: 'boleto', source, boleto: parsed.boleto })
    else refused.push({ kind: 'boleto', reason: parsed.reason, check: parsed.reason === 'check-digit' ? parsed.check : undefined, digits })
    return ' '
  })
  return { findings, refused, rest: rest.trim() }
}

type PixRead = ({ ok: true; pix: Extract<ReturnType<typeof parsePixCode>, { ok: true }>['pix'] } | { ok: false; reason: PixError['reason'] }) & { end: number }

/**
 * The code starting at `start` ends at one of the CRC fields after it; the first end whose
 * code parses wins. With none, the longest candidate's failure is reported: a customer who
 * pasted a broken code hears why. Undefined when no CRC field follows (just digits "000201").
 */
function readPixAt(text: string, start: number): PixRead | undefined {
  const window = text.slice(start, start + MAX_PIX_INPUT_CHARS)
  let last: PixRead | undefined
  for (const m of window.matchAll(PIX_CRC)) {
    const end = start + m.index + m[0].length
    const parsed = parsePixCode(text.slice(start, end))
    if (parsed.ok) return { ok: true, pix: parsed.pix, end }
    last = { ok: false, reason: parsed.reason, end }
  }
  return last
}
