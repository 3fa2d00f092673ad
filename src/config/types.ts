import type { BusinessHours } from '../domain/index.js'
import type { AgentToken } from './dashboard.js'
import type { TrustProxy } from './http.js'
import type { QueueName, QueueSettings } from './queues.js'
import type { Secret } from './secret.js'

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
    /** Undefined: webhook signatures are not verified (see `configWarnings`). */
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
    /** METRICS_TOKEN; undefined: see `isMetricsOpenOnPublic`. */
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
    /** ALERT_RETENTION_DAYS: days a stored alert is kept. */
    retentionDays: number
  }
  /** Undefined: no outgoing events are kept or sent. */
  events: { webhookUrl: string; secret: Secret } | undefined
}
