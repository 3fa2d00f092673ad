import { crc16, writeTlv } from './emv-tlv.js'

/**
 * Builds BR Codes for tests, the image set and (later) Pix charges in replies. Arguments
 * come from our own code, so a bad one throws RangeError.
 *
 * Text: EMV QRCPS MPM gives the merchant name and city the "ans" format, the Common
 * Character Set (printable ASCII); other scripts belong in the optional Merchant
 * Information—Language Template (ID 64), and BCB's own examples carry names without
 * accents. So accents are removed (São Paulo → Sao Paulo) and any other character
 * outside printable ASCII is refused rather than guessed at.
 */

export interface PixCodeInput {
  /** A Pix key, making a static code. Exactly one of `key` and `url`. */
  key?: string
  /** The charge's location without https://, making a dynamic code. Exactly one of `key` and `url`. */
  url?: string
  /** Up to 25 characters once accents are removed. */
  merchantName: string
  /** Up to 15 characters once accents are removed. */
  merchantCity: string
  /** 1 to 999,999,999,999 cents; omitted lets the payer type the amount. */
  amountCents?: number
  /** 1 to 25 letters and digits, static codes only (a dynamic charge holds its own). @defaultValue '***' */
  txid?: string
  /** A message to the payer, as long as the 99-character account template leaves room for. */
  description?: string
  /** The ISO 18245 merchant category code. @defaultValue '0000' */
  merchantCategoryCode?: string
}

export function buildPixCode(input: PixCodeInput): string {
  const { key, url, amountCents, txid, description, merchantCategoryCode = '0000' } = input
  if ((key === undefined) === (url === undefined)) throw new RangeError('a Pix code needs exactly one of key and url')
  if (url !== undefined && txid !== undefined) throw new RangeError('a dynamic Pix code carries no txid; its charge holds it')
  if (txid !== undefined && !/^[A-Za-z0-9]{1,25}$/.test(txid)) throw new RangeError(`txid must be 1 to 25 letters and digits; got '${txid}'`)
  if (!/^[0-9]{4}$/.test(merchantCategoryCode)) throw new RangeError(`merchantCategoryCode must be 4 digits; got '${merchantCategoryCode}'`)
  const name = brCodeText(input.merchantName, 'merchantName', 25)
  const city = brCodeText(input.merchantCity, 'merchantCity', 15)
  const account =
    writeTlv('00', 'br.gov.bcb.pix') +
    (key === undefined ? '' : writeTlv('01', brCodeText(key, 'key', 77))) +
    (url === undefined ? '' : writeTlv('25', brCodeText(url, 'url', 77))) +
    (description === undefined ? '' : writeTlv('02', brCodeText(description, 'description', 99)))
  const payload =
    writeTlv('00', '01') +
    (url === undefined ? '' : writeTlv('01', '12')) +
    writeTlv('26', account) +
    writeTlv('52', merchantCategoryCode) +
    writeTlv('53', '986') +
    (amountCents === undefined ? '' : writeTlv('54', amountText(amountCents))) +
    writeTlv('58', 'BR') +
    writeTlv('59', name) +
    writeTlv('60', city) +
    writeTlv('62', writeTlv('05', txid ?? '***')) +
    '6304'
  return payload + crc16(payload)
}

/** Accents removed, then printable ASCII only, 1 to `maxChars` characters. */
function brCodeText(value: string, name: string, maxChars: number): string {
  const plain = value.normalize('NFD').replace(/\p{M}/gu, '').trim()
  if (!/^[\x20-\x7e]+$/.test(plain)) throw new RangeError(`${name} must be printable ASCII once accents are removed`)
  if (plain.length > maxChars) throw new RangeError(`${name} must be at most ${maxChars} characters; got ${plain.length}`)
  return plain
}

/** Cents as the decimal string ID 54 wants, "1050" → "10.50", with no floating point. */
function amountText(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 1 || cents > 999_999_999_999) {
    throw new RangeError(`amountCents must be an integer from 1 to 999999999999; got ${cents}`)
  }
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`
}
