import { signBody } from '../../src/ingest/index.js'
import { createTestDatabase, type Engine, type TestDatabase } from './db.js'
import { startAtende, type AtendeProcess } from './atende-process.js'
import { startFakeGraph, type FakeGraph } from './fake-graph.js'
import { personalStrings } from './log-scan.js'
import { redisEnv, startRedis, type RedisServer } from './redis.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

export const E2E_APP_SECRET = 'e2e-app-secret'
export const E2E_WA_TOKEN = 'e2e-wa-token'
export const E2E_ADMIN_TOKEN = 'e2e-admin-token'
export const PHONE_NUMBER_ID = '1000000001'

export type RuntimeKind = 'redis' | 'in-process'

/** Every runtime × engine pair, so each combination stays proven end to end. */
export function combinations(engines: Engine[]): Array<[RuntimeKind, Engine]> {
  return (['redis', 'in-process'] as const).flatMap((r) => engines.map((e) => [r, e] as [RuntimeKind, Engine]))
}

export interface Stack {
  atende: AtendeProcess
  graph: FakeGraph
  redis: RedisServer | undefined
  database: TestDatabase
  /** Posts a signed webhook; its numbers, names and texts join the strings no log line may carry. */
  post(body: unknown): Promise<Response>
  /** GET on the admin API with the admin token; the parsed JSON. */
  admin(path: string): Promise<any>
  /**
   * Stops everything. Atende's `stop()` scans its whole output for the personal data of every
   * webhook posted and every message sent (`log-scan.ts`); the first finding fails the close,
   * after the rest is cleaned up.
   */
  close(): Promise<void>
}

export interface StackOptions {
  /** Start the process while its Redis is down (`redis.start()` brings it up on the same port). */
  redisDownAtStart?: boolean
}

/** A real `atende serve` with its own Redis (or none), database and fake Graph API. */
export async function startStack(runtime: RuntimeKind, engine: Engine, env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  const database = await createTestDatabase(engine)
  const graph = await startFakeGraph()
  const redis = runtime === 'redis' ? await startRedis() : undefined
  if (options.redisDownAtStart === true) await redis?.kill()
  const atende = await startAtende({
    WHATSAPP_APP_SECRET: E2E_APP_SECRET,
    WHATSAPP_TRANSPORT: 'cloud',
    WHATSAPP_TOKEN: E2E_WA_TOKEN,
    WHATSAPP_API_BASE_URL: graph.url,
    ADMIN_TOKEN: E2E_ADMIN_TOKEN,
    DEBOUNCE_MS: '0',
    DEBOUNCE_MAX_MS: '0',
    ...(database.url !== undefined ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
    ...(redis !== undefined ? redisEnv(redis) : {}),
    ...env,
  })
  return {
    atende,
    graph,
    redis,
    database,
    post: (body) => {
      atende.watch(...personalStrings(body))
      const payload = JSON.stringify(body)
      return fetch(`${atende.url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(payload, E2E_APP_SECRET) },
        body: payload,
      })
    },
    admin: async (path) => {
      const res = await fetch(`${atende.url}${path}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`)
      return res.json()
    },
    close: async () => {
      for (const r of graph.requests) atende.watch(...personalStrings(r.body))
      const stopped = await atende.stop().then(() => undefined, (err: unknown) => err)
      await graph.close()
      await redis?.stop()
      await database.drop()
      if (stopped !== undefined) throw stopped
    },
  }
}

/** A one-text webhook timestamped now (older messages fall outside Meta's 24 h reply window). */
export function textWebhook(wamid: string, body: string, from = '5511900000001'): Record<string, unknown> {
  const message = { ...textMessage(wamid, body), from, timestamp: String(Math.floor(Date.now() / 1000)) }
  return webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: from }] })
}
