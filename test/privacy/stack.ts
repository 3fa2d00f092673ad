/**
 * The whole service in the test process, wired as `atende serve` wires it with Redis: real
 * BullMQ workers and producer on a private redis-server, the real app, ingest, processors and
 * privacy service, the OpenAI provider and vision fallback against the fake OpenAI server,
 * the Cloud API client against the fake Graph API. In-process so that the test reads the
 * database (PGlite too) and Redis directly while the service runs.
 */
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { PNG } from 'pngjs'
import { pino } from 'pino'
import { createAiProvider, createImageDescriber, loadKnowledgeBase } from '../../src/ai/index.js'
import { loadConfig, type Config } from '../../src/config/index.js'
import { createBullmqDispatcher, type BullmqDispatcher } from '../../src/dispatch/bullmq-dispatcher.js'
import { createBullmqWorkers, type BullmqWorkers } from '../../src/dispatch/bullmq-workers.js'
import { redisOptions } from '../../src/dispatch/index.js'
import { createApp } from '../../src/http/index.js'
import { createCodeReader, type CodeReader } from '../../src/images/index.js'
import { createIngest, signBody, type Ingest } from '../../src/ingest/index.js'
import { createPrivacy } from '../../src/privacy/index.js'
import type { Database } from '../../src/store/index.js'
import { createCloudClient } from '../../src/whatsapp/index.js'
import { createProcessors } from '../../src/workers/index.js'
import { createTestDatabase, openMigrated, type Engine, type TestDatabase } from '../helpers/db.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { redisEnv, startRedis, type RedisServer } from '../helpers/redis.js'

export const APP_SECRET = 'privacy-app-secret'
export const ADMIN_TOKEN = 'privacy-admin-token'
/** The model the turns ask; the vision fallback asks VISION_MODEL, so a test can hold one and not the other. */
export const TURN_MODEL = 'turn-model'
export const VISION_MODEL = 'vision-model'

export interface PrivacyStack {
  config: Config
  database: Database
  redis: RedisServer
  /** A client of the test's Redis, for reading what the service left there. */
  client: Redis
  graph: FakeGraph
  openai: FakeOpenAi
  dispatcher: BullmqDispatcher
  workers: BullmqWorkers
  app: FastifyInstance
  ingest: Ingest
  /** POSTs a signed webhook; the parsed answer. */
  post(body: unknown): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

export async function startPrivacyStack(engine: Engine): Promise<PrivacyStack> {
  const log = pino({ level: 'silent' })
  const t: TestDatabase = await createTestDatabase(engine)
  const database = await openMigrated(t)
  const redis = await startRedis()
  const graph = await startFakeGraph()
  const openai = await startFakeOpenAi()
  const config = loadConfig({
    ...redisEnv(redis),
    AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.url, OPENAI_MODEL: TURN_MODEL, OPENAI_VISION_MODEL: VISION_MODEL,
    WHATSAPP_TRANSPORT: 'cloud', WHATSAPP_TOKEN: 'test-wa-token', WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_APP_SECRET: APP_SECRET,
    ADMIN_TOKEN, DEBOUNCE_MS: '0', DEBOUNCE_MAX_MS: '0',
  })
  const kb = await loadKnowledgeBase(config.ai.knowledgeBasePath)
  const producer = new Redis(redisOptions(config.redis!, 'producer'))
  producer.on('error', () => {})
  const client = new Redis(redis.url)
  const dispatcher = createBullmqDispatcher({ connection: producer, prefix: config.redis!.prefix, queues: config.queues, log })
  const reader: CodeReader = createCodeReader()
  const processors = createProcessors({
    db: database.db,
    dispatcher,
    whatsapp: createCloudClient({ apiBaseUrl: graph.url, token: config.whatsapp.token!, timeoutMs: config.whatsapp.timeoutMs }),
    ai: createAiProvider(config.ai, kb),
    images: { reader, describer: createImageDescriber(config), language: kb.business.language },
    messages: { apology: kb.messages.apology, handoff: kb.messages.handoff },
    debounce: config.turns,
    aiTimeoutMs: config.ai.timeoutMs,
    sendTimeoutMs: config.whatsapp.timeoutMs,
    log,
  })
  const workers = createBullmqWorkers({ connection: redisOptions(config.redis!, 'worker'), prefix: config.redis!.prefix, queues: config.queues, processors, log })
  const ingest = createIngest({ db: database.db, dispatcher, log, debounce: config.turns, commitTimeoutMs: 5_000 })
  const app = await createApp({
    log,
    ingest,
    whatsapp: { appSecret: config.whatsapp.appSecret, verifyToken: undefined },
    health: { pingDatabase: database.ping, databaseEngine: database.engine, runtimeMode: 'queues', timeoutMs: 1_000, warnings: [] },
    db: database.db,
    adminToken: config.adminToken,
    privacy: createPrivacy({ db: database.db, dispatcher, log }),
    dispatcher,
    surveyDelayMs: 60_000,
  })
  return {
    config, database, redis, client, graph, openai, dispatcher, workers, app, ingest,
    async post(body) {
      const payload = JSON.stringify(body)
      const res = await app.inject({
        method: 'POST', url: '/webhooks/whatsapp', payload,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(payload, APP_SECRET) },
      })
      return { status: res.statusCode, body: res.json() }
    },
    async close() {
      await app.close()
      await ingest.idle()
      await workers.close()
      for (const q of dispatcher.queues.values()) await q.obliterate({ force: true }).catch(() => {})
      await dispatcher.close()
      await producer.quit()
      client.disconnect()
      await reader.close()
      await openai.close()
      await graph.close()
      await redis.stop()
      await database.close()
      await t.drop()
    },
  }
}

/** A plain grey PNG: no code for the reader, so the vision model is asked what it shows. */
export function plainPicture(): Buffer {
  const png = new PNG({ width: 64, height: 64 })
  png.data.fill(0x80)
  return PNG.sync.write(png)
}
