/**
 * What a customer's picture said, as the turn needs it: payment codes we could verify
 * (boletos by their check digits, PIX codes by their CRC), or else the vision model's
 * description. A code is only called a boleto or a PIX code once its checks pass, whether
 * a barcode reader or a vision model produced its digits: a model's digits are never
 * trusted as they are.
 */
import { parseBoleto, type Boleto } from './boleto.js'
import { parsePixCode, type PixCode } from './pix.js'

/** barcode: read from a picture; vision: transcribed by the vision model; typed: in a text message; pdf: a PDF's text layer. */
export type FindingSource = 'barcode' | 'vision' | 'typed' | 'pdf'

export type ImageFinding =
  | { kind: 'boleto'; source: FindingSource; boleto: Boleto }
  | { kind: 'pix'; source: FindingSource; pix: PixCode }
  /** A code that was read but is neither: kept so the assistant can mention it. */
  | { kind: 'code'; source: FindingSource; format: string; text: string }

export interface ImageAnalysis {
  /**
   * read: a code was read; described: the vision model was asked; transcribed: a voice note
   * became the message's text; nothing: no code and no model (or no transcription); failed: gave up.
   */
  outcome: 'read' | 'described' | 'transcribed' | 'nothing' | 'failed'
  findings: ImageFinding[]
  description?: { text: string; kind: string; model: string }
  /** A voice note's transcription (its words are the message's text, not stored here twice). */
  transcription?: { model: string }
  /** Error code when `failed`. */
  error?: string
}

/** A decoded symbol, as the code reader reports it. */
export interface DecodedSymbol {
  format: string
  text: string
}

/** Long enough for any BR Code and boleto line; longer texts are cut in the description. */
const OTHER_CODE_CHARS = 200

/**
 * `today` (yyyy-mm-dd, the day the picture was received) places a boleto's due-date factor
 * in the right cycle (FEBRABAN restarted the count on 2025-02-22).
 */
export function findingsFromCodes(codes: readonly DecodedSymbol[], today?: string): ImageFinding[] {
  const findings: ImageFinding[] = []
  const seen = new Set<string>()
  for (const code of codes) {
    const key = `${code.format}:${code.text}`
    if (seen.has(key)) continue
    seen.add(key)
    findings.push(interpret(code.text, 'barcode', today) ?? { kind: 'code', source: 'barcode', format: code.format, text: code.text.slice(0, OTHER_CODE_CHARS) })
  }
  return findings
}

/** The vision model's transcriptions, kept only where the check digits / CRC hold. */
export function findingsFromVision(extracted: { line?: string | undefined; pixCode?: string | undefined } | undefined, today?: string): ImageFinding[] {
  const findings: ImageFinding[] = []
  for (const text of [extracted?.line, extracted?.pixCode]) {
    const finding = text === undefined ? undefined : interpret(text, 'vision', today)
    if (finding !== undefined) findings.push(finding)
  }
  return findings
}

function interpret(text: string, source: FindingSource, today: string | undefined): ImageFinding | undefined {
  const pix = parsePixCode(text)
  if (pix.ok) return { kind: 'pix', source, pix: pix.pix }
  const boleto = parseBoleto(text, { today })
  if (boleto.ok) return { kind: 'boleto', source, boleto: boleto.boleto }
  return undefined
}

const BRL = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' })

/**
 * One line for the assistant's context in place of a bare `[image]`: what the picture holds,
 * with the figures a customer asks about (amount, due date, payee). English, as the prompt's
 * other context; the assistant answers in the customer's language.
 */
export function describeImage(analysis: ImageAnalysis | null | undefined, what: 'image' | 'PDF' = 'image'): string {
  if (analysis === null || analysis === undefined) return `[${what}]`
  const parts = analysis.findings.map(describeFinding)
  if (analysis.description !== undefined) parts.push(`looks like: ${analysis.description.text}`)
  if (parts.length > 0) return `[${what}: ${parts.join('; ')}]`
  return analysis.outcome === 'failed' ? `[${what}: could not be analysed]` : `[${what}: no payment code found]`
}

const SOURCE_WORDS: Record<FindingSource, string> = {
  barcode: 'read from the barcode',
  vision: 'transcribed by the vision model, check digits valid',
  typed: 'typed by the customer, check digits valid',
  pdf: "read from the PDF's text, check digits valid",
}

/** The findings of a typed code, for the assistant's context next to the customer's text. */
export function describeFindings(findings: readonly ImageFinding[]): string {
  return findings.map((f) => `[${describeFinding(f)}]`).join('\n')
}

function describeFinding(f: ImageFinding): string {
  const read = SOURCE_WORDS[f.source]
  switch (f.kind) {
    case 'boleto': {
      const b = f.boleto
      const facts = [
        b.bankName === undefined ? (b.bankCode === undefined ? undefined : `bank ${b.bankCode}`) : `bank ${b.bankName}`,
        b.amountCents === undefined ? undefined : `amount ${BRL.format(b.amountCents / 100)}`,
        b.dueDate === undefined ? undefined : `due ${b.dueDate}`,
        `digitable line ${b.line}`,
      ].filter((x) => x !== undefined)
      return `boleto (${read}): ${facts.join(', ')}`
    }
    case 'pix': {
      const p = f.pix
      const facts = [
        `payee ${p.merchantName}${p.merchantCity === '' ? '' : ` (${p.merchantCity})`}`,
        p.amountCents === undefined ? 'no amount set' : `amount ${BRL.format(p.amountCents / 100)}`,
        p.kind === 'dynamic' ? 'dynamic charge' : 'static key',
      ]
      return `PIX QR code (${read}): ${facts.join(', ')}`
    }
    case 'code':
      return `${f.format} code reading "${f.text}"`
  }
}
