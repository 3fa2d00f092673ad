import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { MAX_FAILURES } from '../../src/http/admin-auth.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'
import { dashboardDeps, freshClient, sessionCookie } from './dashboard-helpers.js'

// The throttle lives in the process, not the database: one engine is enough.
describe('dashboard login throttle', () => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp

  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  const attempt = (token: string, remoteAddress: string) => w.app.inject({ method: 'POST', url: '/admin/login', payload: { token }, remoteAddress })

  it(`after ${MAX_FAILURES} failed logins, refuses every login of that client with 429 and Retry-After, the right token included`, async () => {
    const client = freshClient()
    for (let i = 0; i < MAX_FAILURES; i++) expect((await attempt('wrong', client)).statusCode).toBe(401)
    const wrong = await attempt('wrong', client)
    expect(wrong.statusCode).toBe(429)
    expect(wrong.json().code).toBe('ATD_ADMIN_THROTTLED')
    expect(Number(wrong.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(wrong.headers['retry-after'])).toBeLessThanOrEqual(60)
    const right = await attempt(ADMIN_TOKEN, client)
    expect(right.statusCode).toBe(429)
    expect(sessionCookie(right)).toBeUndefined()
  })

  it('shows the form again with the wait to a locked-out browser', async () => {
    const client = freshClient()
    for (let i = 0; i <= MAX_FAILURES; i++) await attempt('wrong', client)
    const res = await w.app.inject({
      method: 'POST', url: '/admin/login', remoteAddress: client,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=wrong',
    })
    expect(res.statusCode).toBe(429)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('Muitas tentativas')
  })

  it('counts per client: another client still logs in', async () => {
    const client = freshClient()
    for (let i = 0; i <= MAX_FAILURES; i++) await attempt('wrong', client)
    expect((await attempt(ADMIN_TOKEN, freshClient())).statusCode).toBe(302)
  })

  it('never counts good logins', async () => {
    const client = freshClient()
    for (let i = 0; i < MAX_FAILURES * 2; i++) expect((await attempt(ADMIN_TOKEN, client)).statusCode).toBe(302)
  })
})
