import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALERT_RULES } from '../../src/ops/index.js'
import { insertAlerts, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'
import { asPage, CARLA_TOKEN, dashboardDeps, login, type LoggedIn } from './dashboard-helpers.js'

const T0 = Date.parse('2026-11-30T12:00:00.000Z')

/** The overview's "Alertas" section: `/admin/api/alerts` is the admin API's `GET /api/alerts`, in process. */
describe.each(ENGINES)('dashboard alerts (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let admin: LoggedIn

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    await insertAlerts(database.db, [
      { rule: 'queue_backlog', severity: 'warning', subject: 'ai-response', details: { waiting: 1_200 }, at: new Date(T0) },
      { rule: 'meta_quality', severity: 'critical', subject: '131048', details: { metaCode: 131048 }, at: new Date(T0 + 1_000) },
    ])
    admin = await login(w.app, ADMIN_TOKEN)
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it("answers an admin session with the admin API's items, newest first", async () => {
    const res = await w.app.inject({ url: '/admin/api/alerts', headers: asPage(admin, false) })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({
      items: [
        { id: expect.any(Number), alert: 'meta_quality', severity: 'critical', subject: '131048', text: ALERT_RULES.meta_quality.text, details: { metaCode: 131048 }, at: '2026-11-30T12:00:01.000Z' },
        { id: expect.any(Number), alert: 'queue_backlog', severity: 'warning', subject: 'ai-response', text: ALERT_RULES.queue_backlog.text, details: { waiting: 1_200 }, at: '2026-11-30T12:00:00.000Z' },
      ],
    })
  })

  it('passes the filters on, and the admin API refuses what it does not take', async () => {
    const critical = await w.app.inject({ url: '/admin/api/alerts?severity=critical&limit=5', headers: asPage(admin, false) })
    expect(critical.json().items.map((i: { alert: string }) => i.alert)).toEqual(['meta_quality'])
    const bad = await w.app.inject({ url: '/admin/api/alerts?limit=0x1f', headers: asPage(admin, false) })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'ATD_BAD_REQUEST' })
  })

  it("is an admin's page: an agent's session is refused, no session is a 401", async () => {
    const carla = await login(w.app, CARLA_TOKEN)
    const agent = await w.app.inject({ url: '/admin/api/alerts', headers: asPage(carla, false) })
    expect(agent.statusCode).toBe(403)
    expect(agent.json().code).toBe('ATD_DASHBOARD_FORBIDDEN')
    const none = await w.app.inject({ url: '/admin/api/alerts', headers: { accept: 'application/json' } })
    expect(none.statusCode).toBe(401)
    expect(none.json().code).toBe('ATD_DASHBOARD_SESSION_REQUIRED')
  })
})

describe("the dashboard's alert texts", () => {
  it('names every alert rule in Portuguese (English comes from the server)', () => {
    const i18n = readFileSync(new URL('../../web/dashboard/i18n.js', import.meta.url), 'utf8')
    const portuguese = i18n.slice(i18n.indexOf("'pt-BR': {"), i18n.indexOf('  en: {'))
    const missing = Object.keys(ALERT_RULES).filter((rule) => !portuguese.includes(`alert_${rule}:`))
    expect(missing).toEqual([])
  })
})
