import { isIP } from 'node:net'
import type { BusinessHours } from '../domain/index.js'
import { ConfigError } from '../errors.js'
import { ADMIN_TOKEN_MIN_LENGTH, isAdminTokenShort, type TrustProxy } from './http.js'
import { parseAgentTokens, type AgentToken } from './dashboard.js'
import { envSchema } from './schema.js'
import { readQueueSettings, type QueueName, type QueueSettings } from './queues.js'
import { secret, type Secret } from './secret.js'

export { QUEUE_NAMES, queueEnvPrefix, type QueueName, type QueueSettings } from './queues.js'
export { secret, type Secret } from './secret.js'
export { envSchema } from './schema.js'
export { AGENT_NAME_MAX_CHARS, parseAgentTokens, type AgentToken } from './dashboard.js'
export { ADMIN_TOKEN_MIN_LENGTH, isAdminTokenShort, type TrustProxy } from './http.js'

export interface RedisConfig {
  /** `redis://` or `rediss://`; the password, if any, lives in `password`. */
  url: string
  password: Secret | undefined
  tls: boolean
  prefix: string
  commandTimeoutMs: number
  /** Unreachable or hung this long: serve from the database in-process (REDIS_FAILOVER_AFTER_MS). */
  failoverAfterMs: number
  /** While failed over, how often due work is looked for (REDIS_FAILOVER_POLL_MS). */
  failoverPollMs: number
}

/** The per-number send limiter (DESIGN.md, "Sending rate"); see src/domain/send-pace.ts. */
export interface SendRateConfig {
  /** Sends per second of a number without an override; 0: no limit. */
  perSecond: number
  /** Sends a number may make back to back. */
  burst: number
  /** Sends per second by phone_number_id; 0: no limit for that number. */
  overrides: Readonly<Record<string, number>>
  /** Longest one send waits for its slot before its turn steps back instead. */
  maxWaitMs: number
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test'
  http: {
    port: number
    host: string
    /** Whose `X-Forwarded-For` names the client (TRUST_PROXY). */
    trustProxy: TrustProxy
  }
  logLevel: string
  database: { url: Secret | undefined; dataDir: string; statementTimeoutMs: number; poolSize: number }
  /** Undefined: no Redis, the in-process runtime runs. */
  redis: RedisConfig | undefined
  whatsapp: {
    /** Undefined: webhook signatures are not verified (see {@link configWarnings}). */
    appSecret: Secret | undefined
    /** WHATSAPP_ALLOW_UNSIGNED: the cloud transport may run without `appSecret`. */
    allowUnsigned: boolean
    verifyToken: Secret | undefined
    token: Secret | undefined
    phoneNumberId: string | undefined
    apiBaseUrl: string
    /** WHATSAPP_MEDIA_HOSTS: besides apiBaseUrl's host, where media URLs may take the token. */
    mediaHosts: readonly string[]
    transport: 'cloud' | 'console'
    timeoutMs: number
    sendRate: SendRateConfig
  }
  ai: {
    provider: 'local' | 'openai'
    openaiApiKey: Secret | undefined
    openaiBaseUrl: string | undefined
    openaiModel: string
    /** Model of the image describer (the vision fallback). */
    openaiVisionModel: string
    timeoutMs: number
    knowledgeBasePath: string
    /** IANA zone of the business: the day a boleto's due date is compared with. */
    businessTimeZone: string
  }
  /** Voice notes. */
  audio: {
    /** Undefined: audio is not transcribed (TRANSCRIPTION_PROVIDER=off). */
    transcription: { baseUrl: string | undefined; apiKey: Secret; model: string; timeoutMs: number } | undefined
    maxBytes: number
    /** What a turn of untranscribed audio does: ask the customer to type, or hand off. */
    fallback: 'ask' | 'handoff'
  }
  /** PDF documents (boletos): their text layer, then their rendered pages' barcodes (decision 0032). */
  documents: { maxBytes: number; pdfMaxPages: number; pdfTimeoutMs: number }
  images: {
    /** Pictures larger than this are refused: their download stops, and neither the code reader nor the image describer takes them. */
    maxBytes: number
    /** Pictures without a readable code are described by the vision model (AI_PROVIDER=openai only). */
    visionFallback: boolean
    /** Worker threads of the offline code reader. */
    readerThreads: number
  }
  adminToken: Secret | undefined
  /** The web dashboard (`/admin`, src/http/dashboard). */
  dashboard: {
    /** AGENT_TOKENS: who may log in to the inbox, besides the admin. */
    agents: readonly AgentToken[]
    /** SIMULATOR_ENABLED, defaulting to on outside production. */
    simulator: boolean
  }
  /** The admin API's own listener (ADMIN_PORT); undefined: it is served on `http`. */
  adminListener: { host: string; port: number } | undefined
  turns: { debounceMs: number; debounceMaxMs: number }
  reconciler: { afterMs: number; intervalMs: number }
  shutdownGraceMs: number
  /** Customer data retention (docs/privacy.md). */
  privacy: { /** 0: keep everything. */ retentionDays: number }
  queues: Readonly<Record<QueueName, QueueSettings>>
  /** Metrics, alerts and outgoing events (docs/operations.md). */
  ops: OpsConfig
  /** The conversation lifecycle's timers (issue #9). */
  lifecycle: {
    /** CONVERSATION_IDLE_MS: silence after the bot's answer that resolves; 0: never. */
    idleMs: number
    /** HANDOFF_ALERT_MS: business time a hand-off may wait for a person before an alert; 0: no alert. */
    handoffAlertMs: number
  }
  nps: {
    enabled: boolean
    /** After resolution, before the survey is sent. */
    delayMs: number
    /** How long a sent survey waits for its score. */
    responseWindowMs: number
    /** At most one survey per customer in this many days; 0: no limit. */
    minIntervalDays: number
    /** The approved template sent outside the 24 h window; undefined: such surveys are skipped. */
    template: { name: string; language: string } | undefined
  }
  businessHours: {
    /** Undefined: always open. */
    hours: BusinessHours | undefined
    /** IANA time zone of the schedule. */
    timeZone: string
  }
}

export interface OpsConfig {
  metrics: {
    /** METRICS_TOKEN; undefined: see {@link isMetricsOpenOnPublic}. */
    token: Secret | undefined
    /** METRICS_PORT: a listener of its own serving `/metrics`. */
    port: number | undefined
  }
  alerts: {
    /** ALERT_WEBHOOK_URL; undefined: alerts are logged only. */
    webhookUrl: string | undefined
    cooldownMs: number
    /** Jobs waiting in one queue that count as a backlog. */
    backlog: number
    backlogSeconds: number
    handoffAlertMs: number
  }
  /** Undefined: no outgoing events are kept or sent. */
  events: { webhookUrl: string; secret: Secret } | undefined
}

const maybeSecret = (v: string | undefined) => (v === undefined ? undefined : secret(v))

/**
 * Reads and validates the whole environment at once. Throws one {@link ConfigError} that
 * lists every bad variable, so an operator fixes them all in one go.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    // zod's messages say what was expected; the value itself is left out because it may be a secret.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`)
    throw new ConfigError(problems)
  }
  const e = parsed.data
  const problems = crossFieldProblems(e)
  if (problems.length > 0) throw new ConfigError(problems)

  return deepFreeze({
    nodeEnv: e.NODE_ENV,
    http: { port: e.PORT, host: e.HOST, trustProxy: e.TRUST_PROXY },
    logLevel: e.LOG_LEVEL,
    database: {
      url: maybeSecret(e.DATABASE_URL),
      dataDir: e.DATA_DIR,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      poolSize: e.DATABASE_POOL_SIZE,
    },
    redis: redisConfig(e),
    whatsapp: {
      appSecret: maybeSecret(e.WHATSAPP_APP_SECRET),
      allowUnsigned: e.WHATSAPP_ALLOW_UNSIGNED,
      verifyToken: maybeSecret(e.WHATSAPP_VERIFY_TOKEN),
      token: maybeSecret(e.WHATSAPP_TOKEN),
      phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
      apiBaseUrl: e.WHATSAPP_API_BASE_URL.replace(/\/+$/, ''),
      mediaHosts: e.WHATSAPP_MEDIA_HOSTS,
      transport: e.WHATSAPP_TRANSPORT,
      timeoutMs: e.WHATSAPP_TIMEOUT_MS,
      sendRate: {
        perSecond: e.WHATSAPP_SEND_RATE_PER_SECOND,
        burst: e.WHATSAPP_SEND_BURST,
        overrides: e.WHATSAPP_SEND_RATE_OVERRIDES,
        maxWaitMs: e.WHATSAPP_SEND_MAX_WAIT_MS,
      },
    },
    ai: {
      provider: e.AI_PROVIDER,
      openaiApiKey: maybeSecret(e.OPENAI_API_KEY),
      openaiBaseUrl: e.OPENAI_BASE_URL,
      openaiModel: e.OPENAI_MODEL,
      openaiVisionModel: e.OPENAI_VISION_MODEL,
      timeoutMs: e.AI_TIMEOUT_MS,
      knowledgeBasePath: e.KNOWLEDGE_BASE,
      businessTimeZone: e.BUSINESS_TIME_ZONE,
    },
    audio: {
      transcription: transcriptionConfig(e),
      maxBytes: e.AUDIO_MAX_BYTES,
      fallback: e.AUDIO_FALLBACK,
    },
    documents: { maxBytes: e.DOCUMENT_MAX_BYTES, pdfMaxPages: e.PDF_MAX_PAGES, pdfTimeoutMs: e.PDF_TIMEOUT_MS },
    images: {
      maxBytes: e.IMAGE_MAX_BYTES,
      // Unset follows the provider: whoever pays for openai gets the fallback, local stays offline.
      visionFallback: (e.IMAGE_VISION_FALLBACK ?? (e.AI_PROVIDER === 'openai' ? 'on' : 'off')) === 'on',
      readerThreads: e.IMAGE_READER_THREADS,
    },
    adminToken: maybeSecret(e.ADMIN_TOKEN),
    dashboard: {
      agents: parseAgentTokens(e.AGENT_TOKENS, e.ADMIN_TOKEN, e.NODE_ENV === 'production') as readonly AgentToken[],
      simulator: (e.SIMULATOR_ENABLED ?? (e.NODE_ENV === 'production' ? 'false' : 'true')) === 'true',
    },
    // Loopback by default: a separate admin listener exists to keep the API off the public interface.
    adminListener: e.ADMIN_PORT === undefined ? undefined : { host: e.ADMIN_HOST ?? '127.0.0.1', port: e.ADMIN_PORT },
    turns: { debounceMs: e.DEBOUNCE_MS, debounceMaxMs: e.DEBOUNCE_MAX_MS },
    reconciler: { afterMs: e.RECONCILE_AFTER_MS, intervalMs: e.RECONCILE_INTERVAL_MS },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    privacy: { retentionDays: e.RETENTION_DAYS },
    queues: readQueueSettings(e),
    ops: {
      metrics: { token: maybeSecret(e.METRICS_TOKEN), port: e.METRICS_PORT },
      alerts: {
        webhookUrl: e.ALERT_WEBHOOK_URL,
        cooldownMs: e.ALERT_COOLDOWN_MS,
        backlog: e.ALERT_BACKLOG,
        backlogSeconds: e.ALERT_BACKLOG_SECONDS,
        handoffAlertMs: e.HANDOFF_ALERT_MS,
      },
      events: e.EVENTS_WEBHOOK_URL === undefined || e.EVENTS_WEBHOOK_SECRET === undefined
        ? undefined
        : { webhookUrl: e.EVENTS_WEBHOOK_URL, secret: secret(e.EVENTS_WEBHOOK_SECRET) },
    },
    lifecycle: { idleMs: e.CONVERSATION_IDLE_MS, handoffAlertMs: e.HANDOFF_ALERT_MS },
    nps: {
      enabled: e.NPS_ENABLED,
      delayMs: e.NPS_DELAY_MS,
      responseWindowMs: e.NPS_RESPONSE_WINDOW_MS,
      minIntervalDays: e.NPS_MIN_INTERVAL_DAYS,
      template: e.NPS_TEMPLATE_NAME === undefined ? undefined : { name: e.NPS_TEMPLATE_NAME, language: e.NPS_TEMPLATE_LANGUAGE },
    },
    businessHours: { hours: e.BUSINESS_HOURS, timeZone: e.BUSINESS_TIME_ZONE },
  } satisfies Config)
}

/**
 * Settings Atende runs with but an operator should know about: logged at `warn` on start and
 * listed on `/readyz`, so a monitor sees them too. Constant sentences: they name settings,
 * never their values.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = []
  if (config.whatsapp.appSecret === undefined) {
    warnings.push(
      config.whatsapp.transport === 'cloud'
        ? 'WHATSAPP_APP_SECRET is not set (WHATSAPP_ALLOW_UNSIGNED=true): webhook signatures are NOT verified; anyone can post messages that are answered on your number'
        : 'WHATSAPP_APP_SECRET is not set: webhook signatures are NOT verified; anyone can post messages (refused with WHATSAPP_TRANSPORT=cloud or NODE_ENV=production)',
    )
  }
  const redis = config.redis
  if (config.nodeEnv === 'production' && redis !== undefined && !redis.tls && redis.password !== undefined && !isLoopbackHost(new URL(redis.url).hostname)) {
    warnings.push('REDIS_URL: the Redis password crosses the network in clear text (redis:// to a host that is not this machine); use rediss:// (TLS)')
  }
  if (config.nodeEnv === 'production' && config.ops.metrics.token === undefined && config.adminListener === undefined) {
    warnings.push('METRICS_TOKEN is not set: in production /metrics answers 401 on PORT; set METRICS_TOKEN, or scrape the admin listener (ADMIN_PORT) or METRICS_PORT')
  }
  return warnings
}

/**
 * Whether `/metrics` is served without a token on the public listener (PORT): only in
 * development and tests, and only when METRICS_TOKEN is unset.
 */
export function isMetricsOpenOnPublic(config: Pick<Config, 'nodeEnv' | 'ops'>): boolean {
  return config.ops.metrics.token === undefined && config.nodeEnv !== 'production'
}

/** `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped), as a URL writes them. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  // WHATWG URLs write an IPv4-mapped address in hex: ::ffff:127.0.0.1 becomes ::ffff:7f00:1.
  return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)
}

type ParsedEnv = ReturnType<typeof envSchema.parse>

function crossFieldProblems(e: ParsedEnv): string[] {
  const problems: string[] = []
  if (e.NODE_ENV === 'production' && e.WHATSAPP_APP_SECRET === undefined) {
    problems.push('WHATSAPP_APP_SECRET: required when NODE_ENV=production (webhook signatures cannot be verified without it)')
  } else if (e.WHATSAPP_TRANSPORT === 'cloud' && e.WHATSAPP_APP_SECRET === undefined && !e.WHATSAPP_ALLOW_UNSIGNED) {
    // A forgotten secret would let anyone post messages that are answered on a live number
    // (issue #8): running unsigned has to be asked for by name.
    problems.push('WHATSAPP_APP_SECRET: required when WHATSAPP_TRANSPORT=cloud (without it anyone can post messages that are answered on your number); set WHATSAPP_ALLOW_UNSIGNED=true to run unsigned on purpose')
  }
  if (e.NODE_ENV === 'production' && e.ADMIN_TOKEN !== undefined && isAdminTokenShort(e.ADMIN_TOKEN)) {
    problems.push(`ADMIN_TOKEN: must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters when NODE_ENV=production (a short token can be guessed); e.g. openssl rand -hex 32`)
  }
  const agents = parseAgentTokens(e.AGENT_TOKENS, e.ADMIN_TOKEN, e.NODE_ENV === 'production')
  if (typeof agents === 'string') problems.push(`AGENT_TOKENS: ${agents}`)
  if (e.NODE_ENV === 'production' && e.METRICS_TOKEN !== undefined && isAdminTokenShort(e.METRICS_TOKEN)) {
    problems.push(`METRICS_TOKEN: must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters when NODE_ENV=production (a short token can be guessed); e.g. openssl rand -hex 32`)
  }
  if (e.METRICS_PORT !== undefined && (e.METRICS_PORT === e.PORT || e.METRICS_PORT === e.ADMIN_PORT)) {
    problems.push('METRICS_PORT: must differ from PORT and ADMIN_PORT')
  }
  if (e.EVENTS_WEBHOOK_URL !== undefined && e.EVENTS_WEBHOOK_SECRET === undefined) {
    problems.push('EVENTS_WEBHOOK_SECRET: required with EVENTS_WEBHOOK_URL (every event is signed with it, so the receiver can tell it came from Atende)')
  }
  if (e.EVENTS_WEBHOOK_SECRET !== undefined && e.EVENTS_WEBHOOK_URL === undefined) {
    problems.push('EVENTS_WEBHOOK_SECRET: has no effect without EVENTS_WEBHOOK_URL')
  }
  if (e.ADMIN_HOST !== undefined && e.ADMIN_PORT === undefined) {
    problems.push('ADMIN_HOST: has no effect without ADMIN_PORT; set ADMIN_PORT for a separate admin listener, or unset ADMIN_HOST')
  }
  if (e.ADMIN_PORT !== undefined && e.ADMIN_PORT === e.PORT) {
    problems.push(`ADMIN_PORT: must differ from PORT (${e.PORT}); unset it to serve the admin API on PORT`)
  }
  if (e.WHATSAPP_TRANSPORT === 'cloud' && e.WHATSAPP_TOKEN === undefined) {
    problems.push('WHATSAPP_TOKEN: required when WHATSAPP_TRANSPORT=cloud')
  }
  if (transcriptionProvider(e) === 'openai' && (e.TRANSCRIPTION_API_KEY ?? e.OPENAI_API_KEY) === undefined) {
    problems.push('TRANSCRIPTION_API_KEY: required when TRANSCRIPTION_PROVIDER=openai (or set OPENAI_API_KEY; any placeholder for a local server without keys)')
  }
  if (e.AI_PROVIDER === 'openai' && e.OPENAI_API_KEY === undefined) {
    problems.push('OPENAI_API_KEY: required when AI_PROVIDER=openai')
  }
  if (e.IMAGE_VISION_FALLBACK === 'on' && e.AI_PROVIDER !== 'openai') {
    problems.push(`IMAGE_VISION_FALLBACK: 'on' needs AI_PROVIDER=openai (the local provider has no vision); got AI_PROVIDER=${e.AI_PROVIDER}`)
  }
  if (e.REDIS_URL !== undefined && e.UPSTASH_REDIS_HOST !== undefined) {
    problems.push('REDIS_URL: set either REDIS_URL or UPSTASH_REDIS_HOST, not both')
  }
  if (e.DEBOUNCE_MAX_MS < e.DEBOUNCE_MS) {
    problems.push(`DEBOUNCE_MAX_MS: must be at least DEBOUNCE_MS (${e.DEBOUNCE_MS}); got ${e.DEBOUNCE_MAX_MS}`)
  }
  if (e.WHATSAPP_SEND_MAX_WAIT_MS >= e.WHATSAPP_TIMEOUT_MS) {
    // A send's deadline covers its wait for a slot too: a longer wait would end in a timeout.
    problems.push(`WHATSAPP_SEND_MAX_WAIT_MS: must be less than WHATSAPP_TIMEOUT_MS (${e.WHATSAPP_TIMEOUT_MS}); got ${e.WHATSAPP_SEND_MAX_WAIT_MS}`)
  }
  return problems
}

function redisConfig(e: ParsedEnv): RedisConfig | undefined {
  const common = {
    prefix: e.REDIS_PREFIX,
    commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    failoverAfterMs: e.REDIS_FAILOVER_AFTER_MS,
    failoverPollMs: e.REDIS_FAILOVER_POLL_MS,
  }
  if (e.REDIS_URL !== undefined) {
    const u = new URL(e.REDIS_URL)
    const password = u.password === '' ? undefined : secret(decodeURIComponent(u.password))
    u.password = ''
    return { url: u.toString(), password, tls: u.protocol === 'rediss:', ...common }
  }
  if (e.UPSTASH_REDIS_HOST !== undefined) {
    // The original turned certificate verification off; we keep TLS and keep verification on.
    // The original took a bare host; an IPv6 address needs brackets inside a URL.
    const host = isIP(e.UPSTASH_REDIS_HOST) === 6 ? `[${e.UPSTASH_REDIS_HOST}]` : e.UPSTASH_REDIS_HOST
    return {
      url: `rediss://${host}:${e.UPSTASH_REDIS_PORT}`,
      password: maybeSecret(e.UPSTASH_REDIS_PASSWORD),
      tls: true,
      ...common,
    }
  }
  return undefined
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/** Unset follows the provider: whoever pays for openai gets transcription, local stays offline. */
function transcriptionProvider(e: ParsedEnv): 'off' | 'openai' {
  return e.TRANSCRIPTION_PROVIDER ?? (e.AI_PROVIDER === 'openai' ? 'openai' : 'off')
}

function transcriptionConfig(e: ParsedEnv): Config['audio']['transcription'] {
  const apiKey = e.TRANSCRIPTION_API_KEY ?? e.OPENAI_API_KEY
  if (transcriptionProvider(e) === 'off' || apiKey === undefined) return undefined
  return { baseUrl: e.TRANSCRIPTION_BASE_URL ?? e.OPENAI_BASE_URL, apiKey: secret(apiKey), model: e.TRANSCRIPTION_MODEL, timeoutMs: e.AI_TIMEOUT_MS }
}
