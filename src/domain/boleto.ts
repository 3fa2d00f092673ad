import { bankMod11, digitAt } from './check-digits.js'
import { dueDateOf, isoDay } from './due-factor.js'
import {
  BANK_LINE_DIGITS,
  BARCODE_DIGITS,
  CONVENIO_LINE_DIGITS,
  bankBarcodeFromLine,
  bankLineFromBarcode,
  convenioBarcodeFromLine,
  convenioCheck,
  convenioLineFromBarcode,
  formatBankLine,
  formatConvenioLine,
} from './boleto-layout.js'

/** Longest input read at all: a 48-digit line with generous separators fits many times over. */
export const MAX_BOLETO_INPUT_CHARS = 256

interface BoletoBase {
  /** The 44 digits the barcode (ITF) encodes. */
  barcode: string
  /** The linha digitável as banks print it, with its dots, spaces or dashes. */
  line: string
  /** The same 47 (bank) or 48 (convênio) digits with no separators. */
  lineDigits: string
  /** Undefined when the boleto leaves the amount blank (zero). */
  amountCents?: number
  /** ISO `yyyy-mm-dd`; undefined for factor 0000 and for every convênio. */
  dueDate?: string
}

export interface BankBoleto extends BoletoBase {
  kind: 'bank'
  /** Three-digit COMPE code of the issuing bank. */
  bankCode: string
  /** For the commonest banks only; undefined for any other code. */
  bankName?: string
  /** '9' is the real; '0' is "other currency". */
  currency: '9' | '0'
  /** The 25 digits each bank lays out its own way. */
  freeField: string
}

export interface ConvenioBoleto extends BoletoBase {
  kind: 'convenio'
  bankCode?: undefined
  bankName?: undefined
  /** Position 2: 1 prefeituras, 2 saneamento, 3 energia e gás, 4 telecomunicações, … */
  segment: number
  /** Position 3: 6, 8 carry an amount in reais; 7, 9 a reference quantity (6, 7 Módulo 10). */
  valueType: 6 | 7 | 8 | 9
  /** The raw 11-digit value when `valueType` is 7 or 9 (a quantity, not reais). */
  referenceValue?: number
  /** Positions 16–44: the company's (or CNPJ's) identification and its own field. */
  companyField: string
}

export type Boleto = BankBoleto | ConvenioBoleto

/** Which check digit failed: a bank line's three fields, a convênio line's four blocks, or the barcode's general DV. */
export type BoletoCheck = 'field-1' | 'field-2' | 'field-3' | 'block-1' | 'block-2' | 'block-3' | 'block-4' | 'general'

export type BoletoError =
  | { ok: false; reason: 'too-long' | 'not-digits' | 'length' | 'layout' | 'currency' | 'value-type' }
  | { ok: false; reason: 'check-digit'; check: BoletoCheck }

export type BoletoResult = { ok: true; boleto: Boleto } | BoletoError

export interface ParseBoletoOptions {
  /**
   * The date (`yyyy-mm-dd`) to read the due factor around, e.g. the day the customer sent
   * the boleto; see `due-factor.ts` for the rollover. @defaultValue '2025-02-22'
   */
  today?: string
}

const BANK_NAMES: Readonly<Record<string, string>> = {
  '001': 'Banco do Brasil',
  '033': 'Santander',
  '077': 'Inter',
  '104': 'Caixa',
  '212': 'Original',
  '237': 'Bradesco',
  '260': 'Nu Pagamentos',
  '341': 'Itaú',
  '748': 'Sicredi',
  '756': 'Sicoob',
}

/** What people put between the digits when they type or paste a line. */
const SEPARATORS = /[\s.\-‐‑‒–—]/g

/**
 * Reads a boleto from its barcode (44 digits), the linha digitável of cobrança bancária
 * (47) or of arrecadação/convênio (48, starting with 8), ignoring spaces, dots, dashes and
 * line breaks. Every check digit is verified. Never throws for any input string; only a
 * malformed `options.today`, which is our own code's mistake, throws RangeError.
 */
export function parseBoleto(input: string, options: ParseBoletoOptions = {}): BoletoResult {
  if (options.today !== undefined && isoDay(options.today) === undefined) {
    throw new RangeError(`today must be a yyyy-mm-dd date; got '${options.today}'`)
  }
  if (typeof input !== 'string') return fail('not-digits')
  if (input.length > MAX_BOLETO_INPUT_CHARS) return fail('too-long')
  const digits = input.replace(SEPARATORS, '')
  if (!/^[0-9]*$/.test(digits)) return fail('not-digits')
  const isConvenio = digits.startsWith('8')
  switch (digits.length) {
    case BARCODE_DIGITS:
      return isConvenio ? readConvenio(digits) : readBank(digits, options)
    case BANK_LINE_DIGITS:
      return isConvenio ? fail('layout') : readBankLine(digits, options)
    case CONVENIO_LINE_DIGITS:
      return isConvenio ? readConvenioLine(digits) : fail('layout')
    default:
      return fail('length')
  }
}

/** The linha digitável (formatted) of a valid barcode; undefined when it does not parse. */
export function boletoBarcodeToLine(barcode: string): string | undefined {
  const parsed = parseBoleto(barcode)
  return parsed.ok && parsed.boleto.barcode === barcode.replace(SEPARATORS, '') ? parsed.boleto.line : undefined
}

/** The 44-digit barcode of a valid linha digitável; undefined when it does not parse. */
export function boletoLineToBarcode(line: string): string | undefined {
  const parsed = parseBoleto(line)
  return parsed.ok && parsed.boleto.lineDigits === line.replace(SEPARATORS, '') ? parsed.boleto.barcode : undefined
}

function readBankLine(line: string, options: ParseBoletoOptions): BoletoResult {
  const barcode = bankBarcodeFromLine(line)
  const expected = bankLineFromBarcode(barcode)
  // The field DVs sit at line positions 10, 21 and 32 (1-based).
  for (const [i, at] of [9, 20, 31].entries()) {
    if (line[at] !== expected[at]) return fail('check-digit', `field-${i + 1}` as BoletoCheck)
  }
  return readBank(barcode, options)
}

function readBank(barcode: string, options: ParseBoletoOptions): BoletoResult {
  const currency = barcode[3]
  if (currency !== '9' && currency !== '0') return fail('currency')
  if (bankMod11(barcode.slice(0, 4) + barcode.slice(5)) !== digitAt(barcode, 4)) return fail('check-digit', 'general')
  const bankCode = barcode.slice(0, 3)
  const lineDigits = bankLineFromBarcode(barcode)
  const boleto: BankBoleto = {
    kind: 'bank',
    barcode,
    line: formatBankLine(lineDigits),
    lineDigits,
    bankCode,
    bankName: BANK_NAMES[bankCode],
    currency,
    amountCents: positive(Number(barcode.slice(9, 19))),
    dueDate: dueDateOf(Number(barcode.slice(5, 9)), options.today),
    freeField: barcode.slice(19),
  }
  return { ok: true, boleto }
}

function readConvenioLine(line: string): BoletoResult {
  const check = convenioCheck(line[2] ?? '')
  if (check === undefined) return fail('value-type')
  for (let block = 0; block < 4; block++) {
    const at = block * 12
    if (check(line.slice(at, at + 11)) !== digitAt(line, at + 11)) {
      return fail('check-digit', `block-${block + 1}` as BoletoCheck)
    }
  }
  return readConvenio(convenioBarcodeFromLine(line))
}

function readConvenio(barcode: string): BoletoResult {
  const check = convenioCheck(barcode[2] ?? '')
  if (check === undefined) return fail('value-type')
  if (check(barcode.slice(0, 3) + barcode.slice(4)) !== digitAt(barcode, 3)) return fail('check-digit', 'general')
  const valueType = digitAt(barcode, 2) as ConvenioBoleto['valueType']
  const value = Number(barcode.slice(4, 15))
  const inReais = valueType === 6 || valueType === 8
  const lineDigits = convenioLineFromBarcode(barcode, check)
  const boleto: ConvenioBoleto = {
    kind: 'convenio',
    barcode,
    line: formatConvenioLine(lineDigits),
    lineDigits,
    segment: digitAt(barcode, 1),
    valueType,
    amountCents: inReais ? positive(value) : undefined,
    referenceValue: inReais ? undefined : value,
    companyField: barcode.slice(15),
  }
  return { ok: true, boleto }
}

function positive(value: number): number | undefined {
  return value > 0 ? value : undefined
}

function fail(reason: Exclude<BoletoError['reason'], 'check-digit'>): BoletoError
function fail(reason: 'check-digit', check: BoletoCheck): BoletoError
function fail(reason: BoletoError['reason'], check?: BoletoCheck): BoletoError {
  return reason === 'check-digit' ? { ok: false, reason, check: check ?? 'general' } : { ok: false, reason }
}
