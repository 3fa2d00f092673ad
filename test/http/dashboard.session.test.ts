import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { secret } from '../../src/config/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'
import { asPage, CARLA_TOKEN, dashboardDeps, login } from './dashboard-helpers.js'

/** Every page of the dashboard, bull-board's included, and a path that does not exist. */
const PAGES = ['/admin', '/admin/', '/admin/inbox', '/admin/inbox/1', '/admin/overview', '/admin/queues', '/admin/nps', '/admin/learning', '/admin/simulator', '/admin/no-such-page']
const JSON_ROUTES = ['/admin/api/session', '/admin/api/conversations', '/admin/api/conversations/1', '/admin/api/events', '/admin/api/work-counts', '/admin/api/reports/nps', '/admin/api/simulator/conversation?customer=5500012345678']

describe.each(ENGINES)('dashboard session (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it('tells the page it runs in-process when there is no bull-board, however /readyz is described', async () => {
    // `serve` hands the health check a function (the runtime can fail over), Redis or not.
    const served = await buildWebhookApp(database, { dashboard: dashboardDeps(), runtimeMode: () => 'in-process' })
    try {
      const s = await login(served.app, ADMIN_TOKEN)
      const page = await served.app.inject({ url: '/admin/overview', headers: { cookie: s.cookie } })
      const boot = /name="atende-boot" content="([^"]*)"/.exec(page.body)![1]!.replace(/&#34;/g, '"')
      expect(JSON.parse(boot)).toMatchObject({ runtime: 'in-process' })
    } finally {
      await served.close()
    }
  })

  it('redirects every /admin page, /admin/queues and unknown paths to the login without a session', async () => {
    for (const url of PAGES) {
      const res = await w.app.inject({ url, headers: { accept: 'text/html' } })
      expect(res.statusCode, url).toBe(302)
      expect(res.headers.location, url).toMatch(/^\/admin\/login(\?next=%2Fadmin%2F[a-z0-9-%F]+)?$/)
    }
  })

  it('redirects a client that asks for nothing in particular, and every method', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      const res = await w.app.inject({ method, url: '/admin/inbox' })
      expect(res.statusCode).toBe(302)
      expect(res.headers.location).toMatch(/^\/admin\/login/)
    }
  })

  it('answers 401 ATD_DASHBOARD_SESSION_REQUIRED to a JSON client without a session', async () => {
    for (const url of JSON_ROUTES) {
      const res = await w.app.inject({ url, headers: { accept: 'application/json' } })
      expect(res.statusCode, url).toBe(401)
      expect(res.json().code).toBe('ATD_DASHBOARD_SESSION_REQUIRED')
    }
  })

  it.each([
    ['a made-up cookie of the right shape', 'atende_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a cookie of the wrong shape', 'atende_session=../../etc/passwd'],
    ['a very long cookie', `atende_session=${'a'.repeat(4000)}`],
    ['the session id in another cookie', 'other=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses %s', async (_name, cookie) => {
    const res = await w.app.inject({ url: '/admin/inbox', headers: { cookie, accept: 'text/html' } })
    expect(res.statusCode).toBe(302)
  })

  it('serves every page to the admin', async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    for (const url of PAGES.filter((p) => p !== '/admin/no-such-page')) {
      const res = await w.app.inject({ url, headers: { cookie: admin.cookie, accept: 'text/html' } })
      expect(res.statusCode, url).toBe(200)
      expect(res.body).toContain('<div id="app">')
    }
    const unknown = await w.app.inject({ url: '/admin/no-such-page', headers: { cookie: admin.cookie } })
    expect(unknown.statusCode).toBe(404)
  })

  it('keeps an agent to the inbox: other pages go back to /admin, other routes answer 403', async () => {
    const carla = await login(w.app, CARLA_TOKEN)
    for (const url of ['/admin', '/admin/inbox', '/admin/inbox/1']) {
      expect((await w.app.inject({ url, headers: { cookie: carla.cookie, accept: 'text/html' } })).statusCode, url).toBe(200)
    }
    for (const url of ['/admin/overview', '/admin/queues', '/admin/nps', '/admin/learning', '/admin/simulator']) {
      const res = await w.app.inject({ url, headers: { cookie: carla.cookie, accept: 'text/html' } })
      expect(res.statusCode, url).toBe(302)
      expect(res.headers.location).toBe('/admin')
    }
    for (const url of ['/admin/api/work-counts', '/admin/api/reports/nps', '/admin/api/learning/proposals', '/admin/api/simulator/conversation?customer=5500012345678']) {
      const res = await w.app.inject({ url, headers: asPage(carla) })
      expect(res.statusCode, url).toBe(403)
      expect(res.json().code).toBe('ATD_DASHBOARD_FORBIDDEN')
    }
    const simulate = await w.app.inject({ method: 'POST', url: '/admin/api/simulator/messages', headers: asPage(carla), payload: { customer: '5500012345678', text: 'oi' } })
    expect(simulate.statusCode).toBe(403)
  })

  it('logout ends the session everywhere: the same cookie opens nothing afterwards', async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    const out = await w.app.inject({ method: 'POST', url: '/admin/logout', headers: asPage(admin) })
    expect(out.statusCode).toBe(302)
    expect(out.headers.location).toBe('/admin/login')
    expect(out.cookies.find((c) => c.name === 'atende_session')?.value).toBe('')
    const after = await w.app.inject({ url: '/admin/inbox', headers: { cookie: admin.cookie, accept: 'text/html' } })
    expect(after.statusCode).toBe(302)
  })

  it('ends a session whose token is no longer configured (the agent was removed)', async () => {
    const carla = await login(w.app, CARLA_TOKEN)
    const without = await buildWebhookApp(database, { dashboard: dashboardDeps({ agents: [{ name: 'Bruno', token: secret('bruno-agent-token-0002') }] }) })
    try {
      const res = await without.app.inject({ url: '/admin/inbox', headers: { cookie: carla.cookie, accept: 'text/html' } })
      expect(res.statusCode).toBe(302)
    } finally {
      await without.close()
    }
    // Ended for good, even where Carla is still configured.
    expect((await w.app.inject({ url: '/admin/inbox', headers: { cookie: carla.cookie, accept: 'text/html' } })).statusCode).toBe(302)
  })

  it('an expired session opens nothing', async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    await database.db.execute(sql`update admin_sessions set expires_at = now() - interval '1 second'`)
    expect((await w.app.inject({ url: '/admin/inbox', headers: { cookie: admin.cookie, accept: 'text/html' } })).statusCode).toBe(302)
  })

  it('stores no session id, only its hash', async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    const id = admin.cookie.split('=')[1]!
    const rows = await database.db.execute(sql`select encode(id_hash, 'hex') as h from admin_sessions`)
    expect(JSON.stringify(rows)).not.toContain(id)
    expect(JSON.stringify(rows)).not.toContain(Buffer.from(id, 'base64url').toString('hex'))
  })

  it('serves the pages in English when the language cookie asks for it', async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    const en = await w.app.inject({ url: '/admin/inbox', headers: { cookie: `${admin.cookie}; atende_lang=en` } })
    expect(en.body).toContain('<html lang="en">')
    const pt = await w.app.inject({ url: '/admin/inbox', headers: { cookie: `${admin.cookie}; atende_lang=<script>` } })
    expect(pt.body).toContain('<html lang="pt-BR">')
  })

  it("leaves the dashboard's requests out of the server's request-time figures", async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    await w.app.inject({ method: 'DELETE', url: '/api/metrics/http', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    for (let i = 0; i < 3; i++) await w.app.inject({ url: '/admin/inbox', headers: { cookie: admin.cookie } })
    const figures = await w.app.inject({ url: '/api/metrics/http', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    // Only the metrics request itself (and the reset before it) may be counted.
    expect(figures.json().count).toBeLessThanOrEqual(1)
  })

  it('pages carry the security headers and the CSRF token', async () => {
    const admin = await login(w.app, ADMIN_TOKEN)
    const res = await w.app.inject({ url: '/admin/inbox', headers: { cookie: admin.cookie } })
    expect(res.headers['x-frame-options']).toBe('DENY')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/)
    expect(res.body).toContain(`content="${admin.csrf}"`)
  })
})
