import { createHmac, timingSafeEqual } from 'node:crypto'

const PREFIX = 'sha256='
/** `sha256=` and the 32 bytes of an HMAC-SHA256 in hex, nothing before or after. */
const SIGNATURE_FORMAT = /^sha256=[0-9a-fA-F]{64}$/

/**
 * Checks Meta's `X-Hub-Signature-256` (HMAC-SHA256 of the exact request bytes with the app
 * secret). It must run on the raw body: re-serialising parsed JSON turns `\u00e1` escapes
 * into `á` and the signature no longer matches.
 */
export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  // Exactly the format, checked before decoding: Buffer.from(hex) stops at the first bad
  // character, so `sha256=<valid>zz` would otherwise pass.
  if (header === undefined || !SIGNATURE_FORMAT.test(header)) return false
  const given = Buffer.from(header.slice(PREFIX.length), 'hex')
  const expected = createHmac('sha256', appSecret).update(rawBody).digest()
  return timingSafeEqual(given, expected)
}

/** `sha256=<hex>` for a body: what Meta sends, and what tests and the README's curl use. */
export function signBody(rawBody: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex')
}
