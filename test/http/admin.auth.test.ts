import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const UNAUTHORIZED = { code: 'ATD_UNAUTHORIZED', message: 'a valid bearer token is required' }
let clients = 0
/** A client of its own, so that failures of different cases never add up to a lockout (admin.throttle.test.ts). */
const freshClient = () => `192.0.2.${++clients}`

describe.each(ENGINES)('admin API: bearer ADMIN_TOKEN (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let unconfigured: WebhookApp

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    unconfigured = await buildWebhookApp(database, { adminToken: undefined })
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.AUTH1', 'oi')))))).toMatchObject({ statusCode: 200 })
  })
  afterAll(async () => {
    await unconfigured.close()
    await w.close()
    await database.close()
    await t.drop()
  })

  it('lists conversations with the right token', async () => {
    const res = await w.app.inject({ url: '/api/conversations', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(res.statusCode).toBe(200)
    expect(res.json().items).toHaveLength(1)
  })

  it('accepts the scheme name in any case', async () => {
    const res = await w.app.inject({ url: '/api/conversations', headers: { authorization: `bearer ${ADMIN_TOKEN}` } })
    expect(res.statusCode).toBe(200)
  })

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer not-the-admin-token'],
    ['a prefix of the token', `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ['the token with a suffix', `Bearer ${ADMIN_TOKEN}x`],
    ['the Basic scheme with the token as password', `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`],
    ['the Basic scheme with the bare token', `Basic ${ADMIN_TOKEN}`],
    ['the bare token without a scheme', ADMIN_TOKEN],
    ['an empty bearer', 'Bearer '],
    ['two tokens', `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`],
  ])('answers 401 to %s', async (_name, authorization) => {
    const headers = authorization === undefined ? {} : { authorization }
    const remoteAddress = freshClient()
    for (const url of ['/api/conversations', '/api/conversations/1']) {
      const res = await w.app.inject({ url, headers, remoteAddress })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toEqual(UNAUTHORIZED)
    }
  })

  it('checks the token before validating input, so a stranger learns nothing of the schema', async () => {
    const res = await w.app.inject({ url: '/api/conversations?limit=abc&bogus=1', remoteAddress: freshClient() })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual(UNAUTHORIZED)
  })

  it('answers 401 to everything when ADMIN_TOKEN is not configured', async () => {
    for (const authorization of [`Bearer ${ADMIN_TOKEN}`, 'Bearer undefined', 'Bearer ', undefined]) {
      const res = await unconfigured.app.inject({ url: '/api/conversations', headers: authorization === undefined ? {} : { authorization } })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ code: 'ATD_UNAUTHORIZED', message: 'the admin API is disabled: ADMIN_TOKEN is not set' })
    }
  })

  it('guards only the admin routes: health and the webhook need no bearer token', async () => {
    expect((await w.app.inject({ url: '/healthz' })).statusCode).toBe(200)
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.AUTH2', 'oi'))))).statusCode).toBe(200)
  })
})
