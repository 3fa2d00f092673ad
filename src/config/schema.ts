import { isIP } from 'node:net'
import { z } from 'zod'
import { isValidTimeZone, parseBusinessHours } from '../domain/index.js'
import { parseTrustProxy } from './http.js'
import { queueEnvShape } from './queues.js'

/** Meta redelivers for up to 7 days: data must outlive that, or a redelivery is stored as new. */
export const MIN_RETENTION_DAYS = 8

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))

const ms = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback)

const url = (protocols: readonly string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true
      try {
        return protocols.includes(new URL(v).protocol)
      } catch {
        return false
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  )

/**
 * Every environment variable Atende reads, with its default. `.env.example` and the README
 * table document the same list; `test/config` checks they agree.
 */
export const envSchema = z.object({
  /** `production` refuses to start without WHATSAPP_APP_SECRET, or with an ADMIN_TOKEN under 32 characters. @defaultValue 'development' */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port. @defaultValue 3000 */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** HTTP bind address. @defaultValue '0.0.0.0' */
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Which proxies may name the client in `X-Forwarded-For` (Fastify's `trustProxy`); the admin
   * throttle counts failures per client. `false`: the TCP peer is the client. `true`: every
   * hop is trusted, so the client is the first entry, which a client can write itself unless
   * the proxy replaces the header. A comma-separated list of the proxies' addresses (IP,
   * IP/prefix, `loopback`, `linklocal`, `uniquelocal`): the client is the nearest hop not in
   * it. @defaultValue false
   */
  TRUST_PROXY: optionalString.transform((v, ctx) => {
    const parsed = parseTrustProxy(v)
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed })
      return z.NEVER
    }
    return parsed
  }),
  /** pino level. @defaultValue 'info' */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** PostgreSQL URL; when unset, PGlite runs embedded under DATA_DIR. */
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  /** Where PGlite keeps its files. `memory://` keeps nothing. @defaultValue './data' */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Longest one database statement may run before the request fails with 503. @defaultValue 5_000 */
  DATABASE_STATEMENT_TIMEOUT_MS: ms(5_000).pipe(z.number().min(1)),
  /** PostgreSQL connections per process. @defaultValue 10 */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(10),

  /** `redis://` or `rediss://` (TLS, certificate verified). When unset and no UPSTASH_* either, the in-process runtime runs. */
  REDIS_URL: url(['redis:', 'rediss:']),
  /** The original system's settings; TLS is always on for them. */
  UPSTASH_REDIS_HOST: optionalString,
  UPSTASH_REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6379),
  UPSTASH_REDIS_PASSWORD: optionalString,
  /** Key prefix of every queue. Wrap it in braces (`{atende}`) on Redis Cluster. @defaultValue 'atende' */
  REDIS_PREFIX: z.string().min(1).default('atende'),
  /** Longest a producer command (enqueue) may wait on Redis. @defaultValue 1_000 */
  REDIS_COMMAND_TIMEOUT_MS: ms(1_000).pipe(z.number().min(1)),
  /**
   * How long Redis may stay unreachable or hung (commands timing out) before this process
   * serves due work from the database with the in-process runtime. @defaultValue 5_000
   */
  REDIS_FAILOVER_AFTER_MS: ms(5_000).pipe(z.number().min(1)),
  /** While failed over, how often a consuming process looks for due work in the database. @defaultValue 500 */
  REDIS_FAILOVER_POLL_MS: ms(500).pipe(z.number().min(10)),

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
  /** Default sending number id, used when a conversation has none. */
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
  WHATSAPP_MEDIA_HOSTS: optionalString.transform((v, ctx) => {
    const parsed = parseHostList(v)
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed })
      return z.NEVER
    }
    return parsed
  }),
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
  WHATSAPP_SEND_RATE_OVERRIDES: optionalString.transform((v, ctx) => {
    const parsed = parseRateOverrides(v)
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed })
      return z.NEVER
    }
    return parsed
  }),
  /**
   * Longest a send waits for its number's next slot. A send that would wait longer is not
   * made: its turn steps back and retries after the wait, without spending an attempt.
   * Must be less than WHATSAPP_TIMEOUT_MS: a send's deadline covers its wait. @defaultValue 2_000
   */
  WHATSAPP_SEND_MAX_WAIT_MS: ms(2_000),

  /** `local` (offline, knowledge base) or `openai` (any compatible server). @defaultValue 'local' */
  AI_PROVIDER: z.enum(['local', 'openai']).default('local'),
  OPENAI_API_KEY: optionalString,
  /** Base URL of an OpenAI-compatible server. @defaultValue the SDK's (api.openai.com) */
  OPENAI_BASE_URL: url(['http:', 'https:']),
  /** @defaultValue 'gpt-4o-mini' */
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Longest one AI completion may take. @defaultValue 20_000 */
  AI_TIMEOUT_MS: ms(20_000).pipe(z.number().min(1)),
  /** Model that describes a picture when the barcode reader found no code in it (needs image input). @defaultValue 'gpt-4o-mini' */
  OPENAI_VISION_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /**
   * `on`: a picture in which no boleto or PIX code was read is described by OPENAI_VISION_MODEL;
   * `off`: pictures never leave the process. `on` needs AI_PROVIDER=openai.
   * @defaultValue 'on' when AI_PROVIDER=openai, else 'off'
   */
  IMAGE_VISION_FALLBACK: optionalString.pipe(z.enum(['on', 'off']).optional()),
  /**
   * Largest picture, in bytes: its download stops there (Content-Length first, then counting
   * while it streams), and the code reader and the image describer refuse larger ones
   * unread. @defaultValue 5_242_880 (5 MiB, WhatsApp's image limit)
   */
  IMAGE_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** Worker threads decoding boleto barcodes and PIX QR codes (zxing); the event loop never decodes. @defaultValue 1 */
  IMAGE_READER_THREADS: z.coerce.number().int().min(1).max(32).default(1),
  /**
   * `openai`: voice notes are transcribed by an OpenAI-compatible `/audio/transcriptions`
   * endpoint (also with AI_PROVIDER=local); `off`: audio is never sent anywhere.
   * @defaultValue 'openai' when AI_PROVIDER=openai, else 'off'
   */
  TRANSCRIPTION_PROVIDER: optionalString.pipe(z.enum(['off', 'openai']).optional()),
  /** Base URL of the transcription server (many chat servers have none). @defaultValue OPENAI_BASE_URL */
  TRANSCRIPTION_BASE_URL: url(['http:', 'https:']),
  /** @defaultValue OPENAI_API_KEY */
  TRANSCRIPTION_API_KEY: optionalString,
  /** @defaultValue 'whisper-1' */
  TRANSCRIPTION_MODEL: z.string().min(1).default('whisper-1'),
  /**
   * Largest voice note, in bytes: its download stops there and it is not transcribed.
   * @defaultValue 16_777_216 (16 MiB, WhatsApp's audio limit)
   */
  AUDIO_MAX_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
  /** Without a transcript: `ask` the customer to type, or `handoff` to a person. @defaultValue 'ask' */
  AUDIO_FALLBACK: z.enum(['ask', 'handoff']).default('ask'),
  /** Largest PDF document read, in bytes: its download stops there. @defaultValue 5_242_880 (5 MiB) */
  DOCUMENT_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** Pages of a PDF read, from the first (a boleto sits on page 1 or 2): their text, and their barcodes when the text holds no code. @defaultValue 3 */
  PDF_MAX_PAGES: z.coerce.number().int().min(1).max(50).default(3),
  /** Longest one PDF may take to read, rendering included, in its worker thread. @defaultValue 10_000 */
  PDF_TIMEOUT_MS: ms(10_000).pipe(z.number().min(1)),
  /** Knowledge base (YAML or JSON). @defaultValue 'knowledge-base/sample.pt-BR.yaml' */
  KNOWLEDGE_BASE: z.string().min(1).default('knowledge-base/sample.pt-BR.yaml'),

  /**
   * Bearer token of the admin API; the admin API answers 401 to everything when unset. At
   * least 32 characters when NODE_ENV=production; no whitespace (a Bearer header cannot carry it).
   */
  ADMIN_TOKEN: optionalString.refine((v) => v === undefined || !/\s/.test(v), {
    message: 'must not contain whitespace: an Authorization: Bearer header cannot carry it',
  }),
  /**
   * Port of a separate listener for the admin API (`/api/*`, plus `/healthz` and `/readyz`);
   * PORT then answers 404 under `/api`. @defaultValue unset: the admin API is served on PORT
   */
  ADMIN_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(65_535).optional()),
  /** Bind address of that listener; only with ADMIN_PORT. @defaultValue '127.0.0.1' */
  ADMIN_HOST: optionalString,
  /**
   * Dashboard logins of human agents, `name:token` pairs, comma-separated
   * (`Carla:<token>,Bruno:<token>`): an agent sees the inbox only, and every action is recorded
   * under their name. Parsed in `loadConfig` (cross-checked with ADMIN_TOKEN). @defaultValue none
   */
  AGENT_TOKENS: optionalString,
  /**
   * The dashboard's simulator (`/admin/simulator`): chat as a customer on a reserved number
   * that never reaches Meta. @defaultValue true, except when NODE_ENV=production
   */
  SIMULATOR_ENABLED: optionalString.pipe(z.enum(['true', 'false']).optional()),

  /** A turn waits until the conversation is quiet this long. @defaultValue 1_500 */
  DEBOUNCE_MS: ms(1_500),
  /** ...but never longer than this after the first unanswered message. @defaultValue 8_000 */
  DEBOUNCE_MAX_MS: ms(8_000),
  /** Work due and not done for this long is enqueued again by the reconciler. @defaultValue 30_000 */
  RECONCILE_AFTER_MS: ms(30_000).pipe(z.number().min(1)),
  /** How often the reconciler looks. @defaultValue 5_000 */
  RECONCILE_INTERVAL_MS: ms(5_000).pipe(z.number().min(10)),
  /** Graceful shutdown budget before in-flight work is aborted. @defaultValue 10_000 */
  SHUTDOWN_GRACE_MS: ms(10_000),

  /**
   * Days customer data is kept (conversations, messages and their analyses, status events,
   * quarantine); older data is purged. 0 keeps everything. Otherwise at least 8: Meta
   * redelivers a message for up to 7 days, and a purged wamid would be stored again as new.
   * @defaultValue 0
   */
  RETENTION_DAYS: z.coerce.number().int().max(36_500).default(0).refine((v) => v === 0 || v >= MIN_RETENTION_DAYS, {
    message: `expected 0 (keep everything) or at least ${MIN_RETENTION_DAYS} days: Meta redelivers a message for up to 7 days, and a purged message would be stored again as new`,
  }),

  /**
   * Bearer token of `GET /metrics` (Prometheus). Set: every listener serving `/metrics` asks
   * for it. Unset: `/metrics` is open on PORT in development; with NODE_ENV=production it is
   * open only on the admin listener (ADMIN_PORT) and on METRICS_PORT, so business volumes are
   * not published on the public webhook host. At least 32 characters when NODE_ENV=production.
   */
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || !/\s/.test(v), {
    message: 'must not contain whitespace: an Authorization: Bearer header cannot carry it',
  }),
  /**
   * Port of a listener serving only `GET /metrics` (and `/healthz`), bound to HOST: how
   * `atende worker`, which has no other listener, is scraped. @defaultValue unset: no such listener
   */
  METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(65_535).optional()),
  /** Where alerts are POSTed (Slack-compatible body); unset: alerts go to the log only. */
  ALERT_WEBHOOK_URL: url(['http:', 'https:']),
  /** An alert of one rule and subject is sent at most once per this long. @defaultValue 600_000 */
  ALERT_COOLDOWN_MS: ms(600_000),
  /** A queue with more jobs waiting than this for ALERT_BACKLOG_SECONDS raises `queue_backlog`. @defaultValue 1_000 */
  ALERT_BACKLOG: z.coerce.number().int().min(1).default(1_000),
  /** How long a queue's backlog stays above ALERT_BACKLOG before the alert. @defaultValue 300 */
  ALERT_BACKLOG_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * Receiver of the outgoing events (CRM, ERP, n8n): `message.received`, `message.sent`,
   * `conversation.handoff`, `conversation.resolved`, `nps.answered`, `contact.erased`, one per
   * POST, signed. Needs EVENTS_WEBHOOK_SECRET. @defaultValue unset: no events are kept or sent
   */
  EVENTS_WEBHOOK_URL: url(['http:', 'https:']),
  /** Key of the events' `X-Atende-Signature-256` (HMAC-SHA256 of the raw body). */
  EVENTS_WEBHOOK_SECRET: optionalString,
  /** `false` sends no NPS survey at all. @defaultValue true */
  NPS_ENABLED: optionalString.pipe(z.enum(['true', 'false']).optional()).transform((v) => v !== 'false'),
  /** How long after a conversation is resolved the survey is sent (the original's one minute). @defaultValue 60_000 */
  NPS_DELAY_MS: ms(60_000),
  /** How long a sent survey waits for its score; then `awaiting_nps` becomes `closed`. @defaultValue 86_400_000 (24 h) */
  NPS_RESPONSE_WINDOW_MS: ms(86_400_000).pipe(z.number().min(1)),
  /**
   * A customer is surveyed at most once per this many days: surveys after every chat get the
   * number blocked and lower its quality rating. 0: every resolved conversation. @defaultValue 30
   */
  NPS_MIN_INTERVAL_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /**
   * Name of an approved utility template asking about "seu atendimento de hoje", sent when the
   * survey falls outside Meta's 24 h window; unset: such surveys are skipped (reason stored).
   * @defaultValue none
   */
  NPS_TEMPLATE_NAME: optionalString.refine((v) => v === undefined || /^[a-z0-9_]{1,512}$/.test(v), {
    message: 'expected a WhatsApp template name: lowercase letters, digits and underscores',
  }),
  /** Language code of that template, as approved in WhatsApp Manager. @defaultValue 'pt_BR' */
  NPS_TEMPLATE_LANGUAGE: z.string().regex(/^[a-z]{2,3}(?:_[A-Z]{2,3})?$/, 'expected a WhatsApp language code such as pt_BR or en_US').default('pt_BR'),
  /**
   * A conversation the customer leaves without a reply this long after the bot's last answer
   * is resolved (and surveyed). 0: never resolved by silence. @defaultValue 1_800_000 (30 min)
   */
  CONVERSATION_IDLE_MS: ms(1_800_000),
  /**
   * A handed-off conversation waiting for a person longer than this, counted in business
   * hours, emits an alert event. 0: no alert. @defaultValue 900_000 (15 min)
   */
  HANDOFF_ALERT_MS: ms(900_000),
  /**
   * When people answer, in BUSINESS_TIME_ZONE: rules separated by `;`, e.g.
   * `mon-fri 08:00-18:00; sat 08:00-12:00`. Unset: always open. @defaultValue none
   */
  BUSINESS_HOURS: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined
    const parsed = parseBusinessHours(v)
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error })
      return z.NEVER
    }
    return parsed.hours
  }),
  /**
   * IANA time zone of BUSINESS_HOURS, of the times told to customers, and of "today" when a
   * boleto's due date is compared. @defaultValue 'America/Sao_Paulo'
   */
  BUSINESS_TIME_ZONE: z.string().default('America/Sao_Paulo').refine(isValidTimeZone, {
    message: 'expected an IANA time zone such as America/Sao_Paulo',
  }),

  ...queueEnvShape(),
})

export type Env = z.infer<typeof envSchema>

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
