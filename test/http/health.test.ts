import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'

describe('health routes', () => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it('says the process is alive on /healthz', async () => {
    const res = await w.app.inject({ url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('reports the database engine and runtime mode on /readyz', async () => {
    const res = await w.app.inject({ url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready', database: 'pglite', runtime: 'in-process' })
  })

  it('answers unknown routes with a 404 in the error shape', async () => {
    const res = await w.app.inject({ url: '/nope?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ code: 'ATD_NOT_FOUND', message: 'no route for GET /nope' })
  })
})
