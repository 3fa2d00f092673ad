import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, secret } from '../../src/config/index.js'
import { createInProcessRuntime } from '../../src/dispatch/index.js'
import { createApps, type HttpApps } from '../../src/http/index.js'
import { createIngest } from '../../src/ingest/index.js'
import { loggerOptions } from '../../src/log/index.js'
import { createPrivacy } from '../../src/privacy/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, APP_SECRET, VERIFY_TOKEN } from '../helpers/webhook-app.js'
import { asPage, dashboardDeps, login } from './dashboard-helpers.js'

// Where the routes live is not a database matter: one engine.
describe('the dashboard with ADMIN_PORT (a separate admin listener)', () => {
  let t: TestDatabase
  let database: Database
  let apps: HttpApps
  let close: () => Promise<void>

  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    const log = pino(loggerOptions('silent'))
    const runtime = createInProcessRuntime({ queues: loadConfig({}).queues, log })
    const ingest = createIngest({ db: database.db, dispatcher: runtime, log, debounce: { debounceMs: 0, debounceMaxMs: 0 }, commitTimeoutMs: 5_000 })
    apps = await createApps({
      log,
      ingest,
      whatsapp: { appSecret: secret(APP_SECRET), verifyToken: secret(VERIFY_TOKEN) },
      health: { pingDatabase: database.ping, databaseEngine: database.engine, runtimeMode: 'in-process', timeoutMs: 1_000, warnings: [] },
      db: database.db,
      adminToken: secret(ADMIN_TOKEN),
      trustProxy: false,
      separateAdminListener: true,
      privacy: createPrivacy({ db: database.db, dispatcher: runtime, log }),
      dashboard: dashboardDeps(),
    })
    close = async () => {
      await Promise.all([apps.public.close(), apps.admin?.close()])
      await ingest.idle()
      await runtime.close()
    }
  })
  afterAll(async () => {
    await close()
    await database.close()
    await t.drop()
  })

  it('is served beside the admin API, not on the public listener', async () => {
    expect((await apps.public.inject({ url: '/admin/login' })).statusCode).toBe(404)
    expect((await apps.admin!.inject({ url: '/admin/login' })).statusCode).toBe(200)
  })

  it('reads the admin API and posts simulated messages to the public webhook', async () => {
    const s = await login(apps.admin!, ADMIN_TOKEN)
    const sent = await apps.admin!.inject({ method: 'POST', url: '/admin/api/simulator/messages', headers: asPage(s), payload: { customer: '5500012345678', text: 'oi' } })
    expect(sent.statusCode).toBe(202)
    const list = await apps.admin!.inject({ url: '/admin/api/conversations', headers: asPage(s) })
    expect(list.json().items.map((c: { id: number }) => c.id)).toEqual([sent.json().conversationId])
  })
})
