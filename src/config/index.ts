import { ConfigError } from '../errors.js'
import { envSchema } from './schema.js'
import { readQueueSettings, type QueueName, type QueueSettings } from './queues.js'
import { secret, type Secret } from './secret.js'

export { QUEUE_NAMES, queueEnvPrefix, type QueueName, type QueueSettings } from './queues.js'
export { secret, type Secret } from './secret.js'
export { envSchema } from './schema.js'

export interface RedisConfig {
  /** `redis://` or `rediss://`; the password, if any, lives in `password`. */
  url: string
  password: Secret | undefined
  tls: boolean
  prefix: string
  commandTimeoutMs: number
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
  http: { port: number; host: string }
  logLevel: string
  database: { url: Secret | undefined; dataDir: string; statementTimeoutMs: number; poolSize: number }
  /** Undefined: no Redis, the in-process runtime runs. */
  redis: RedisConfig | undefined
  whatsapp: {
    appSecret: Secret | undefined
    verifyToken: Secret | undefined
    token: Secret | undefined
    phoneNumberId: string | undefined
    apiBaseUrl: string
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
  }
  images: {
    /** Pictures larger than this are refused by the image describer before any AI call. */
    maxBytes: number
    /** Pictures without a readable code are described by the vision model (AI_PROVIDER=openai only). */
    visionFallback: boolean
    /** Worker threads of the offline code reader. */
    readerThreads: number
  }
  adminToken: Secret | undefined
  turns: { debounceMs: number; debounceMaxMs: number }
  reconciler: { afterMs: number; intervalMs: number }
  shutdownGraceMs: number
  /** Customer data retention (docs/privacy.md). */
  privacy: { /** 0: keep everything. */ retentionDays: number }
  queues: Readonly<Record<QueueName, QueueSettings>>
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
    http: { port: e.PORT, host: e.HOST },
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
      verifyToken: maybeSecret(e.WHATSAPP_VERIFY_TOKEN),
      token: maybeSecret(e.WHATSAPP_TOKEN),
      phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
      apiBaseUrl: e.WHATSAPP_API_BASE_URL.replace(/\/+$/, ''),
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
    },
    images: {
      maxBytes: e.IMAGE_MAX_BYTES,
      // Unset follows the provider: whoever pays for openai gets the fallback, local stays offline.
      visionFallback: (e.IMAGE_VISION_FALLBACK ?? (e.AI_PROVIDER === 'openai' ? 'on' : 'off')) === 'on',
      readerThreads: e.IMAGE_READER_THREADS,
    },
    adminToken: maybeSecret(e.ADMIN_TOKEN),
    turns: { debounceMs: e.DEBOUNCE_MS, debounceMaxMs: e.DEBOUNCE_MAX_MS },
    reconciler: { afterMs: e.RECONCILE_AFTER_MS, intervalMs: e.RECONCILE_INTERVAL_MS },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    privacy: { retentionDays: e.RETENTION_DAYS },
    queues: readQueueSettings(e),
  } satisfies Config)
}

type ParsedEnv = ReturnType<typeof envSchema.parse>

function crossFieldProblems(e: ParsedEnv): string[] {
  const problems: string[] = []
  if (e.NODE_ENV === 'production' && e.WHATSAPP_APP_SECRET === undefined) {
    problems.push('WHATSAPP_APP_SECRET: required when NODE_ENV=production (webhook signatures cannot be verified without it)')
  }
  if (e.WHATSAPP_TRANSPORT === 'cloud' && e.WHATSAPP_TOKEN === undefined) {
    problems.push('WHATSAPP_TOKEN: required when WHATSAPP_TRANSPORT=cloud')
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
  const common = { prefix: e.REDIS_PREFIX, commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS }
  if (e.REDIS_URL !== undefined) {
    const u = new URL(e.REDIS_URL)
    const password = u.password === '' ? undefined : secret(decodeURIComponent(u.password))
    u.password = ''
    return { url: u.toString(), password, tls: u.protocol === 'rediss:', ...common }
  }
  if (e.UPSTASH_REDIS_HOST !== undefined) {
    // The original turned certificate verification off; we keep TLS and keep verification on.
    return {
      url: `rediss://${e.UPSTASH_REDIS_HOST}:${e.UPSTASH_REDIS_PORT}`,
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
