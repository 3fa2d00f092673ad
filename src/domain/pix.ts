import { crc16, readTlv, type TlvField } from './emv-tlv.js'
import { classifyPixKey, type PixKeyType } from './pix-key.js'

/**
 * EMV QRCPS MPM: "the length of the payload should not exceed 512 alphanumeric
 * characters". We refuse longer input, and input over twice that before even trimming it.
 */
export const MAX_PIX_INPUT_CHARS = 512

export interface PixCode {
  /** Static codes carry a key; dynamic ones the URL of a charge the payer's bank fetches. */
  kind: 'static' | 'dynamic'
  /** The Pix key (ID 26, sub-field 01) of a static code. */
  key?: string
  keyType?: PixKeyType
  /** The charge's location (ID 26, sub-field 25) of a dynamic code, without https://. */
  url?: string
  /** ID 59. */
  merchantName: string
  /** ID 60. */
  merchantCity: string
  /** ID 54; undefined when absent or zero (the payer types the amount). */
  amountCents?: number
  /** ID 62, sub-field 05; undefined for "***", the BR Code's "no txid". */
  txid?: string
  /** ID 26, sub-field 02: the payee's message to the payer. */
  description?: string
}

/**
 * Why a code was refused: `not-pix` (not an EMV MPM payload, or one with no
 * br.gov.bcb.pix account), `format` (broken structure or a bad field, named in `field`),
 * `crc` (the checksum does not match), `too-long`.
 */
export type PixError = { ok: false; reason: 'too-long' | 'not-pix' | 'format' | 'crc'; field?: string }

export type PixResult = { ok: true; pix: PixCode } | PixError

const PIX_GUI = /^br\.gov\.bcb\.pix$/i
/** Control and invisible formatting characters (bidi overrides, zero-width) and lone surrogates. */
const FORBIDDEN = /[\p{Cc}\p{Cf}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u
const AMOUNT = /^([0-9]{1,10})(?:\.([0-9]{0,2}))?$/

/**
 * Reads a BR Code ("Pix copia e cola"), as decoded from a QR or pasted by a customer.
 * Surrounding whitespace is ignored; the CRC is verified before anything is believed.
 * Never throws.
 */
export function parsePixCode(input: string): PixResult {
  if (typeof input !== 'string') return fail('format')
  if (input.length > 2 * MAX_PIX_INPUT_CHARS) return fail('too-long')
  const text = input.trim()
  if (text.length > MAX_PIX_INPUT_CHARS) return fail('too-long')
  // ID 00 (Payload Format Indicator) comes first and is "01".
  if (!text.startsWith('000201')) return fail('not-pix')
  if (FORBIDDEN.test(text)) return fail('format')
  const fields = readTlv(Array.from(text))
  if (fields === undefined) return fail('format')
  const crc = fields.at(-1)
  if (crc?.id !== '63' || !/^[0-9A-Fa-f]{4}$/.test(crc.value)) return fail('format', '63')
  if (crc16(text.slice(0, -4)) !== crc.value.toUpperCase()) return fail('crc')
  const byId = new Map<string, string>()
  for (const { id, value } of fields) {
    if (byId.has(id)) return fail('format', id)
    byId.set(id, value)
  }
  return readFields(fields, byId)
}

function readFields(fields: TlvField[], byId: Map<string, string>): PixResult {
  const lookup = pixAccount(fields)
  if (lookup === undefined) return fail('not-pix')
  if ('badField' in lookup) return fail('format', lookup.badField)
  const account = lookup.subFields
  const initiation = byId.get('01')
  if (initiation !== undefined && initiation !== '11' && initiation !== '12') return fail('format', '01')
  if (!/^[0-9]{4}$/.test(byId.get('52') ?? '')) return fail('format', '52')
  if (byId.get('53') !== '986') return fail('format', '53')
  if (byId.get('58') !== 'BR') return fail('format', '58')
  const merchantName = byId.get('59')
  const merchantCity = byId.get('60')
  if (merchantName === undefined) return fail('format', '59')
  if (merchantCity === undefined) return fail('format', '60')
  const amount = byId.get('54')
  const amountCents = amount === undefined ? 0 : centsOf(amount)
  if (amountCents === undefined) return fail('format', '54')
  const additional = byId.get('62')
  const additionalFields = additional === undefined ? [] : readTlv(Array.from(additional))
  if (additionalFields === undefined) return fail('format', '62')
  const txid = additionalFields.find((f) => f.id === '05')?.value
  const key = account.get('01')
  const url = account.get('25')
  const pix: PixCode = {
    kind: url === undefined ? 'static' : 'dynamic',
    key,
    keyType: key === undefined ? undefined : classifyPixKey(key),
    url,
    merchantName,
    merchantCity,
    amountCents: amountCents > 0 ? amountCents : undefined,
    txid: txid === '***' ? undefined : txid,
    description: account.get('02'),
  }
  return { ok: true, pix }
}

type AccountLookup = { subFields: Map<string, string> } | { badField: string } | undefined

/**
 * The Merchant Account Information template (IDs 26–51) whose GUI (sub-field 00) is
 * br.gov.bcb.pix. It must hold exactly one of a key (01) and a URL (25). BCB puts Pix in
 * ID 26; EMV lets a payment scheme use any of 26–51, so we look through them in order;
 * one that is not well-formed TLV is a format error. Undefined when none is Pix's.
 */
function pixAccount(fields: TlvField[]): AccountLookup {
  for (const { id, value } of fields) {
    if (id < '26' || id > '51') continue
    const sub = readTlv(Array.from(value))
    if (sub === undefined) return { badField: id }
    const subFields = new Map(sub.map((f) => [f.id, f.value]))
    if (!PIX_GUI.test(subFields.get('00') ?? '')) continue
    return subFields.has('01') === subFields.has('25') ? { badField: id } : { subFields }
  }
  return undefined
}

/** "10", "10.5", "10.50" → 1050 without floating point; undefined when malformed. */
function centsOf(amount: string): number | undefined {
  const m = AMOUNT.exec(amount)
  if (m === null) return undefined
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

function fail(reason: PixError['reason'], field?: string): PixError {
  return field === undefined ? { ok: false, reason } : { ok: false, reason, field }
}
