import { createHmac, timingSafeEqual } from 'node:crypto'

const PREFIX = 'sha256='

/**
 * Checks Meta's `X-Hub-Signature-256` (HMAC-SHA256 of the exact request bytes with the app
 * secret). It must run on the raw body: re-serialising parsed JSON turns `\u00e1` escapes
 * into `á` and the signature no longer matches.
 */
export function isValidSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || !header.startsWith(PREFIX)) return false
  const given = Buffer.from(header.slice(PREFIX.length), 'hex')
  const expected = createHmac('sha256', appSecret).update(rawBody).digest()
  // A short or non-hex header decodes to fewer bytes; timingSafeEqual needs equal lengths.
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** `sha256=<hex>` for a body: what Meta sends, and what tests and the README's curl use. */
export function signBody(rawBody: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex')
}
