import { isIP } from 'node:net'
import { z } from 'zod'
import { ms, optionalString, parsed, url } from './env-fields.js'

/** The WhatsApp Cloud API: webhook verification, sending and its pace, media. */
export const whatsappEnv = {
  /**
   * Meta app secret used to verify X-Hub-Signature-256. Required when NODE_ENV=production,
   * and with WHATSAPP_TRANSPORT=cloud unless WHATSAPP_ALLOW_UNSIGNED=true. Empty or blank
   * counts as unset. @defaultValue none
   */
  WHATSAPP_APP_SECRET: optionalString,
  /**
   * `true` lets the cloud transport start without WHATSAPP_APP_SECRET: webhook signatures are
   * then not verified, and a warning is logged at start and listed on /readyz. Never applies
   * with NODE_ENV=production. @defaultValue false
   */
  WHATSAPP_ALLOW_UNSIGNED: optionalString.pipe(z.enum(['true', 'false']).optional()).transform((v) => v === 'true'),
  /** Token Meta echoes in the GET verification handshake. */
  WHATSAPP_VERIFY_TOKEN: optionalString,
  /** Bearer token for the Graph API (cloud transport). */
  WHATSAPP_TOKEN: optionalString,
  /** Not used: every conversation replies from the number it came in on. Accepted for the original's configuration. */
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  /** Graph API base, version included. @defaultValue 'https://graph.facebook.com/v21.0' */
  WHATSAPP_API_BASE_URL: url(['http:', 'https:']).transform((v) => v ?? 'https://graph.facebook.com/v21.0'),
  /**
   * Hosts, besides WHATSAPP_API_BASE_URL's own, that a media URL answered by the Graph API may
   * point at (redirects included), and that therefore receive the bearer token: host names
   * or IP addresses, comma-separated, no ports. A name must resolve to public addresses only;
   * an IP address listed here is trusted as it is. Empty: the default.
   * @defaultValue 'lookaside.fbsbx.com' (Meta's media CDN; see DEFAULT_MEDIA_HOSTS)
   */
  WHATSAPP_MEDIA_HOSTS: parsed(parseHostList),
  /** `cloud` sends through the Graph API; `console` only stores and logs replies. @defaultValue 'console' */
  WHATSAPP_TRANSPORT: z.enum(['cloud', 'console']).default('console'),
  /** Longest one Graph API call may take. @defaultValue 10_000 */
  WHATSAPP_TIMEOUT_MS: ms(10_000).pipe(z.number().min(1)),
  /**
   * Sends per second allowed to one WhatsApp number, shared by every process (Meta's default
   * throughput is 80 messages/s; 130429 past it). 0: no limit. @defaultValue 80
   */
  WHATSAPP_SEND_RATE_PER_SECOND: z.coerce.number().int().nonnegative().default(80),
  /**
   * Sends one number may make back to back before pacing starts. Any one-second window then
   * holds at most rate + burst − 1 sends, so the default 1 keeps every window within the
   * rate: Meta does not document a burst allowance, and at 80/s pacing costs a reply part
   * only 12.5 ms. @defaultValue 1
   */
  WHATSAPP_SEND_BURST: z.coerce.number().int().min(1).default(1),
  /**
   * Rates of upgraded numbers: `phone_number_id:rate` pairs, comma-separated
   * (`123456:250,987654:1000`); 0 lifts the limit of that number. @defaultValue none
   */
  WHATSAPP_SEND_RATE_OVERRIDES: parsed(parseRateOverrides),
  /**
   * Longest a send waits for its number's next slot. A send that would wait longer is not
   * made: its turn steps back and retries after the wait, without spending an attempt.
   * Must be less than WHATSAPP_TIMEOUT_MS: a send's deadline covers its wait. @defaultValue 2_000
   */
  WHATSAPP_SEND_MAX_WAIT_MS: ms(2_000),
}

/**
 * Where the Cloud API's media URLs point. Meta's reference shows the URL only as `<URL>`;
 * the retrieve-media answers quoted by BSPs all use this host, e.g.
 * `https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…&ext=…&hash=…`
 * (https://docs.kapso.ai/api-reference/media/get-media-url,
 * https://docs.360dialog.com/docs/messaging-api/api-reference/media,
 * https://dualhook.com/docs/media-upload). Should Meta answer or redirect to another host,
 * the download fails with ATD_MEDIA_URL_REFUSED naming it, and WHATSAPP_MEDIA_HOSTS adds it.
 */
export const DEFAULT_MEDIA_HOSTS: readonly string[] = ['lookaside.fbsbx.com']

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * `a.example, 10.0.0.5, ::1` → `['a.example', '10.0.0.5', '::1']`, or what is wrong with it.
 * A name's last label may not be all digits: a URL would read `10.0.0` as an IPv4 address.
 */
function parseHostList(value: string | undefined): readonly string[] | string {
  if (value === undefined) return DEFAULT_MEDIA_HOSTS
  const expected = 'expected comma-separated host names or IP addresses (no scheme, port, path or wildcard)'
  const entries = value.split(',').map((e) => e.trim().toLowerCase())
  for (const [i, entry] of entries.entries()) {
    const labels = entry.split('.')
    const isName = entry.length <= 253 && labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels.at(-1)!)
    if (isIP(entry) === 0 && !isName) return `${expected}; entry ${i + 1} of ${entries.length} is not one`
  }
  return entries
}

const OVERRIDE_ENTRY = /^(\d{1,30}):(\d{1,7})$/

/**
 * `123456:250,987654:1000` → `{ '123456': 250, '987654': 1000 }`, or what is wrong with it.
 * Entries are named by position only: the problem list is printed at startup.
 */
function parseRateOverrides(value: string | undefined): Readonly<Record<string, number>> | string {
  if (value === undefined) return {}
  const expected = 'expected comma-separated phone_number_id:rate pairs such as 123456:250'
  const entries = value.split(',').map((e) => e.trim())
  const rates: Record<string, number> = {}
  for (const [i, entry] of entries.entries()) {
    const m = OVERRIDE_ENTRY.exec(entry)
    if (m === null) return `${expected}; entry ${i + 1} of ${entries.length} is not a pair of whole numbers`
    if (Object.hasOwn(rates, m[1]!)) return `${expected}; entry ${i + 1} of ${entries.length} repeats a phone_number_id`
    rates[m[1]!] = Number(m[2])
  }
  return rates
}
