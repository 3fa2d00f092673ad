import { isIP } from 'node:net'

/**
 * Shortest `ADMIN_TOKEN` accepted when `NODE_ENV=production`: 32 random characters are out of
 * reach of any guessing the admin throttle lets through. Counted in characters (code points).
 */
export const ADMIN_TOKEN_MIN_LENGTH = 32

export function isAdminTokenShort(token: string): boolean {
  return [...token].length < ADMIN_TOKEN_MIN_LENGTH
}

/**
 * Fastify's `trustProxy`: `false` counts the TCP peer as the client; `true` trusts every hop
 * (the client is the first `X-Forwarded-For` entry); a list trusts only those proxies (the
 * client is the nearest address not in it).
 */
export type TrustProxy = boolean | readonly string[]

/** proxy-addr's names for the reserved ranges. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal']

/**
 * `TRUST_PROXY` → {@link TrustProxy}, or what is wrong with it. Hop counts are not offered:
 * Fastify 5 trusts no one for a number, since a count alone cannot tell a proxy from a client.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy | string {
  if (value === undefined || value === 'false') return false
  if (value === 'true') return true
  const expected = `expected true, false, or comma-separated proxy addresses (IP, IP/prefix, or ${RANGE_NAMES.join(', ')})`
  const entries = value.split(',').map((e) => e.trim())
  for (const [i, entry] of entries.entries()) {
    if (!isProxyAddress(entry)) return `${expected}; entry ${i + 1} of ${entries.length} is not one`
  }
  return entries
}

function isProxyAddress(entry: string): boolean {
  if (RANGE_NAMES.includes(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}
