import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll } from 'vitest'
import { createTestDatabase, openMigrated, type Engine, type TestDatabase } from './db.js'
import { pino, type Logger } from 'pino'
import { loggerOptions } from '../../src/log/index.js'
import { secret, type Secret } from '../../src/config/index.js'
import { createInProcessRuntime, type InProcessRuntime } from '../../src/dispatch/index.js'
import { loadConfig } from '../../src/config/index.js'
import { createApp, type DashboardDeps, type HttpOps } from '../../src/http/index.js'
import { createIngest, signBody, type Ingest } from '../../src/ingest/index.js'
import { createPrivacy } from '../../src/privacy/index.js'
import type { Database } from '../../src/store/index.js'

export const APP_SECRET = 'test-app-secret'
export const VERIFY_TOKEN = 'test-verify-token'
export const ADMIN_TOKEN = 'test-admin-token'

export interface WebhookApp {
  app: FastifyInstance
  ingest: Ingest
  /** A runtime with no processors: wake-ups are taken and kept, nothing runs. */
  runtime: InProcessRuntime
  close(): Promise<void>
}

/** The real app, ingest and database; only the workers are left out. */
export async function buildWebhookApp(
  database: Database,
  options: {
    commitTimeoutMs?: number
    adminToken?: Secret | undefined
    warnings?: readonly string[]
    /** Fastify's trustProxy (`TRUST_PROXY`). @defaultValue false */
    trustProxy?: boolean | readonly string[]
    /** Where the app logs (the access-log tests read it). @defaultValue silent */
    log?: Logger
    /** The web dashboard under `/admin` (left out by default). */
    dashboard?: DashboardDeps
    /** Metrics and alerts the app reports to. @defaultValue a registry of the app's own */
    ops?: HttpOps
    /** The clock of the reports' default range. @defaultValue the system clock */
    now?: () => Date
    /** What `/readyz` says of the runtime (`serve` passes a function). @defaultValue 'in-process' */
    runtimeMode?: string | (() => string)
    /** `WHATSAPP_VERIFY_TOKEN`. @defaultValue secret(VERIFY_TOKEN) */
    verifyToken?: Secret | undefined
  } = {},
): Promise<WebhookApp> {
  const log = options.log ?? pino(loggerOptions('silent'))
  const runtime = createInProcessRuntime({ queues: loadConfig({}).queues, log })
  const ingest = createIngest({
    db: database.db,
    dispatcher: runtime,
    log,
    debounce: { debounceMs: 0, debounceMaxMs: 0 },
    commitTimeoutMs: options.commitTimeoutMs ?? 5_000,
  })
  const app = await createApp({
    log,
    ingest,
    whatsapp: { appSecret: secret(APP_SECRET), verifyToken: 'verifyToken' in options ? options.verifyToken : secret(VERIFY_TOKEN) },
    health: { pingDatabase: database.ping, databaseEngine: database.engine, runtimeMode: options.runtimeMode ?? 'in-process', timeoutMs: 1_000, warnings: options.warnings ?? [] },
    db: database.db,
    adminToken: 'adminToken' in options ? options.adminToken : secret(ADMIN_TOKEN),
    trustProxy: options.trustProxy ?? false,
    privacy: createPrivacy({ db: database.db, dispatcher: runtime, log }),
    dispatcher: runtime,
    surveyDelayMs: 60_000,
    dashboard: options.dashboard,
    ...(options.ops === undefined ? {} : { ops: options.ops }),
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  return {
    app,
    ingest,
    runtime,
    close: async () => {
      await app.close()
      await ingest.idle()
      await runtime.close()
    },
  }
}

/** A POST of `body` exactly as Meta sends it: the raw bytes and their signature. */
export function signedPost(body: unknown | string, secretValue = APP_SECRET) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body)
  return {
    method: 'POST' as const,
    url: '/webhooks/whatsapp',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(payload, secretValue) },
    payload,
  }
}

export interface WebhookAppSuite {
  readonly database: Database
  readonly app: WebhookApp['app']
  readonly ingest: Ingest
}

/**
 * Registers `beforeAll`/`afterAll` for a describe block: a fresh migrated database of
 * `engine` and the webhook app over it, closed and dropped afterwards.
 */
export function useWebhookApp(engine: Engine): WebhookAppSuite {
  let t: TestDatabase | undefined
  let database: Database | undefined
  let w: WebhookApp | undefined
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })
  return {
    get database() {
      return database!
    },
    get app() {
      return w!.app
    },
    get ingest() {
      return w!.ingest
    },
  }
}
