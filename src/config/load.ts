import type { z } from 'zod'
import { ConfigError } from '../errors.js'
import { crossFieldProblems } from './cross-field.js'
import { parseAgentTokens, type AgentToken } from './dashboard.js'
import { readQueueSettings } from './queues.js'
import { redisConfig } from './redis.js'
import { envSchema } from './schema.js'
import { maybeSecret, secret } from './secret.js'
import { transcriptionConfig } from './transcription.js'
import type { Config } from './types.js'

/**
 * Reads and validates the whole environment at once. Throws one {@link ConfigError} that
 * lists every bad variable, so an operator fixes them all in one go.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(withoutEmpty(env))
  if (!parsed.success) {
    // zod's messages say what was expected; the value itself is left out because it may be a secret.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${issueMessage(i)}`)
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
        retentionDays: e.ALERT_RETENTION_DAYS,
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
 * zod's message, except for a number that is not one: zod says `received NaN` about `1s` or
 * `abc`, which tells an operator nothing about what to write instead.
 */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type' || (issue.expected !== 'number' && issue.expected !== 'int')) return issue.message
  const name = String(issue.path.at(-1) ?? '')
  if (name.endsWith('_MS')) return 'expected a whole number of milliseconds, digits only (e.g. 1500, not 1.5s)'
  return 'expected a whole number, digits only'
}

/**
 * An empty (or blank) value counts as unset, for every variable: `.env.example` leaves
 * optional ones empty, and a blanked `PORT=` or `QUEUE_AI_RESPONSE_LIMITER_MAX=` must mean
 * the default, not 0 (a random port, the AI limiter off).
 */
function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') out[key] = value
  return out
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
