import { loggerOptions } from '../../src/log/index.js'
import { createPrivacy } from '../../src/privacy/index.js'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, secret } from '../../src/config/index.js'
import { createInProcessRuntime } from '../../src/dispatch/index.js'
import { createApps, type HttpApps } from '../../src/http/index.js'
import { createIngest } from '../../src/ingest/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, APP_SECRET, signedPost, VERIFY_TOKEN } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const RIGHT = { authorization: `Bearer ${ADMIN_TOKEN}` }

/** The HTTP apps main.ts builds, over a real database; `separateAdminListener` is ADMIN_PORT being set. */
async function buildApps(database: Database, separateAdminListener: boolean): Promise<HttpApps & { close(): Promise<void> }> {
  const log = pino(loggerOptions('silent'))
  const runtime = createInProcessRuntime({ queues: loadConfig({}).queues, log })
  const ingest = createIngest({ db: database.db, dispatcher: runtime, log, debounce: { debounceMs: 0, debounceMaxMs: 0 }, commitTimeoutMs: 5_000 })
  const apps = await createApps({
    log,
    ingest,
    whatsapp: { appSecret: secret(APP_SECRET), verifyToken: secret(VERIFY_TOKEN) },
    health: { pingDatabase: database.ping, databaseEngine: database.engine, runtimeMode: 'in-process', timeoutMs: 1_000, warnings: [] },
    db: database.db,
    adminToken: secret(ADMIN_TOKEN),
    trustProxy: false,
    separateAdminListener,
    privacy: createPrivacy({ db: database.db, dispatcher: runtime, log }),
    dispatcher: runtime,
    surveyDelayMs: 60_000,
  })
  return {
    ...apps,
    close: async () => {
      await Promise.all([apps.public.close(), apps.admin?.close()])
      await ingest.idle()
      await runtime.close()
    },
  }
}

describe.each(ENGINES)('admin API on its own listener (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let split: Awaited<ReturnType<typeof buildApps>>
  let single: Awaited<ReturnType<typeof buildApps>>

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    split = await buildApps(database, true)
    single = await buildApps(database, false)
  })
  afterAll(async () => {
    await split.close()
    await single.close()
    await database.close()
    await t.drop()
  })

  it('serves /api/* on the admin listener only; the public one answers 404 there, token or not', async () => {
    expect(split.admin).toBeDefined()
    for (const url of ['/api/conversations', '/api/conversations/1', '/api/metrics/http']) {
      const res = await split.public.inject({ url, headers: RIGHT })
      expect(res.statusCode, url).toBe(404)
      expect(res.json()).toMatchObject({ code: 'ATD_NOT_FOUND' })
    }
    expect((await split.public.inject({ method: 'DELETE', url: '/api/metrics/http', headers: RIGHT })).statusCode).toBe(404)
    expect((await split.admin!.inject({ url: '/api/conversations', headers: RIGHT })).statusCode).toBe(200)
    expect((await split.admin!.inject({ url: '/api/conversations' })).statusCode).toBe(401)
  })

  it('keeps the webhook on the public listener only', async () => {
    const post = signedPost(webhookWith(textMessage('wamid.LISTEN1', 'oi')))
    expect((await split.public.inject(post)).statusCode).toBe(200)
    expect((await split.admin!.inject(post)).statusCode).toBe(404)
  })

  it('answers /healthz and /readyz on both listeners', async () => {
    for (const app of [split.public, split.admin!]) {
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
      expect((await app.inject({ url: '/readyz' })).json()).toMatchObject({ status: 'ready', database: engine })
    }
  })

  it('reports the public listener request times at the admin listener', async () => {
    await split.admin!.inject({ method: 'DELETE', url: '/api/metrics/http', headers: RIGHT })
    for (let i = 0; i < 3; i++) await split.public.inject({ url: '/healthz' })
    const res = await split.admin!.inject({ url: '/api/metrics/http', headers: RIGHT })
    expect(res.json()).toMatchObject({ count: 3 })
  })

  it('throttles failed authentication on the admin listener', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      statuses.push((await split.admin!.inject({ url: '/api/conversations', headers: { authorization: 'Bearer wrong' }, remoteAddress: '198.51.100.5' })).statusCode)
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429])
  })

  it('without ADMIN_PORT, serves everything on one listener as before', async () => {
    expect(single.admin).toBeUndefined()
    expect((await single.public.inject({ url: '/api/conversations', headers: RIGHT })).statusCode).toBe(200)
    expect((await single.public.inject({ url: '/healthz' })).statusCode).toBe(200)
  })
})
