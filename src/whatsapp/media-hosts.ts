/**
 * Where a media URL may take the Graph API bearer token (issue #8, finding 5). The URL
 * comes from Meta's lookup answer and its redirects, so it is checked, not trusted: only
 * the API's own host and WHATSAPP_MEDIA_HOSTS receive the token, and anything else is
 * refused rather than fetched anonymously (an anonymous fetch would fail at Meta anyway and
 * would let an answer point us at any server). A host *name* is resolved when the
 * connection opens and every address must be public, so a poisoned or rebinding DNS answer
 * cannot turn Meta's CDN name into 127.0.0.1 or 169.254.169.254. Exempt are the API's host
 * and IP addresses an operator listed: those were named on purpose.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'
import { MediaUrlRefusedError } from '../errors.js'

export interface MediaHostPolicyOptions {
  /** The Graph API base URL; its host is always allowed, and trusted with private addresses. */
  apiBaseUrl: string
  /** WHATSAPP_MEDIA_HOSTS: host names or IP addresses, no ports. */
  mediaHosts: readonly string[]
}

export interface MediaHostPolicy {
  /** Throws {@link MediaUrlRefusedError} unless `url` may receive the token: its scheme and host. */
  check(url: URL): void
  /**
   * `dns.lookup` for the client's connections: a name that is not trusted with private
   * addresses fails with {@link MediaUrlRefusedError} when any address it resolves to is not
   * public (loopback, private, link-local, unique-local, IPv4-mapped forms of those, ...).
   */
  lookup: LookupFunction
}

export function createMediaHostPolicy(options: MediaHostPolicyOptions): MediaHostPolicy {
  const api = new URL(options.apiBaseUrl)
  // The token never travels in clear text to a media host when the API itself is https.
  const protocols = api.protocol === 'https:' ? ['https:'] : ['https:', 'http:']
  const listed = options.mediaHosts.map(urlHostOf)
  const allowed = new Set([api.hostname, ...listed])
  const trustedNames = new Set([api.hostname])

  function check(url: URL): void {
    if (!protocols.includes(url.protocol)) {
      throw new MediaUrlRefusedError(`media URL is ${url.protocol}; expected one of: ${protocols.join(', ')}`, 'protocol')
    }
    if (!allowed.has(url.hostname)) {
      throw new MediaUrlRefusedError(
        `media URL host ${url.hostname} is neither the Graph API's host nor in WHATSAPP_MEDIA_HOSTS; the token is not sent there`,
        'host',
      )
    }
  }

  // IP addresses never reach a lookup, and a listed one is trusted as it is; names other
  // than the API's must resolve to public addresses only.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    if (trustedNames.has(hostname.toLowerCase())) return dnsLookup(hostname, lookupOptions, callback)
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses: LookupAddress[]) => {
      if (err !== null) return callback(err, '', 0)
      const blocked = addresses.find((a) => !isPublicAddress(a.address))
      if (blocked !== undefined) {
        const refusal = new MediaUrlRefusedError(`media host ${hostname} resolves to ${blocked.address}, which is not a public address`, 'private-address')
        return callback(refusal, '', 0)
      }
      if (lookupOptions.all === true) return callback(null, addresses)
      const [first] = addresses
      callback(null, first?.address ?? '', first?.family ?? 0)
    })
  }

  return { check, lookup }
}

/** Global unicast only; IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it maps. */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast'
}

/** A WHATSAPP_MEDIA_HOSTS entry as `URL.hostname` writes it: lower case, IPv6 in brackets, canonical. */
function urlHostOf(entry: string): string {
  return new URL(`http://${isIP(entry) === 6 ? `[${entry}]` : entry}`).hostname
}
