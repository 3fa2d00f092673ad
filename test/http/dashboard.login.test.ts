import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'
import { CARLA_TOKEN, dashboardDeps, freshClient, sessionCookie } from './dashboard-helpers.js'

const form = (fields: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/admin/login',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
  remoteAddress: freshClient(),
})

describe.each(ENGINES)('dashboard login (%s)', (engine) => {
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

  it('GET /admin/login serves the form, with a field named token, in pt-BR', async () => {
    const res = await w.app.inject({ url: '/admin/login' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('<form method="post" action="/admin/login">')
    expect(res.body).toContain('name="token"')
    expect(res.body).toContain('lang="pt-BR"')
    expect(res.body).toContain('Entrar')
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  })

  it('serves the form in English on request', async () => {
    const res = await w.app.inject({ url: '/admin/login?lang=en' })
    expect(res.body).toContain('lang="en"')
    expect(res.body).toContain('Sign in')
  })

  it('keeps the language chosen on the login form for the dashboard behind it', async () => {
    const res = await w.app.inject(form({ token: ADMIN_TOKEN, lang: 'en' }))
    expect(res.statusCode).toBe(302)
    expect(res.cookies.find((c) => c.name === 'atende_lang')).toMatchObject({ value: 'en', path: '/admin', sameSite: 'Strict' })
    const cookie = `${sessionCookie(res)!}; atende_lang=en`
    const page = await w.app.inject({ url: '/admin', headers: { cookie } })
    expect(page.body).toContain('lang="en"')
    // A wrong token chooses nothing.
    const wrong = await w.app.inject(form({ token: 'not-the-token', lang: 'en' }))
    expect(wrong.cookies.find((c) => c.name === 'atende_lang')).toBeUndefined()
  })

  it('a good token in the form field gets an httpOnly SameSite=Strict session cookie and a redirect to /admin', async () => {
    const res = await w.app.inject(form({ token: ADMIN_TOKEN }))
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe('/admin')
    const cookie = res.cookies.find((c) => c.name === 'atende_session')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' })
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const page = await w.app.inject({ url: '/admin', headers: { cookie: sessionCookie(res)! } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('/admin/assets/app.js')
  })

  it('a good token as JSON { token } does the same', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/admin/login', payload: { token: ADMIN_TOKEN }, remoteAddress: freshClient() })
    expect(res.statusCode).toBe(302)
    expect(res.headers.location).toBe('/admin')
    expect(sessionCookie(res)).toBeDefined()
  })

  it('an agent token opens an agent session named after the agent', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/admin/login', payload: { token: CARLA_TOKEN }, remoteAddress: freshClient() })
    const session = await w.app.inject({ url: '/admin/api/session', headers: { cookie: sessionCookie(res)!, accept: 'application/json' } })
    expect(session.json()).toMatchObject({ role: 'agent', agent: 'Carla' })
  })

  it('a wrong token gets no session: the form again with the reason (401), or the error code as JSON', async () => {
    const html = await w.app.inject(form({ token: 'not-a-token' }))
    expect(html.statusCode).toBe(401)
    expect(html.body).toContain('Token inválido')
    expect(html.headers['set-cookie']).toBeUndefined()
    const json = await w.app.inject({ method: 'POST', url: '/admin/login', payload: { token: `${ADMIN_TOKEN}x` }, remoteAddress: freshClient() })
    expect(json.statusCode).toBe(401)
    expect(json.json().code).toBe('ATD_DASHBOARD_LOGIN_FAILED')
    expect(json.headers['set-cookie']).toBeUndefined()
  })

  it('goes back to the dashboard page first asked for, never to another site', async () => {
    expect((await w.app.inject(form({ token: ADMIN_TOKEN, next: '/admin/simulator' }))).headers.location).toBe('/admin/simulator')
    for (const next of ['//evil.example', 'https://evil.example/admin', '/admin/../../x', '/\\evil.example', '/admin?x=//evil', '/adminx']) {
      expect((await w.app.inject(form({ token: ADMIN_TOKEN, next }))).headers.location).toBe('/admin')
    }
  })

  it.each([
    ['no token', {}, 400],
    ['an empty token', { token: '' }, 400],
    ['a token of 1025 characters', { token: 'x'.repeat(1025) }, 400],
    // A body is not type-coerced (src/http/body-validation.ts): not read as the text '12345'.
    ['a token that is not a string', { token: 12345 }, 400],
    ['an array of tokens', { token: [ADMIN_TOKEN, 'x'] }, 400],
    ['a hundred fields', Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}`, 'x'])), 400],
  ])('refuses %s with a 4xx ATD_ code and no session', async (_name, payload, status) => {
    const res = await w.app.inject({ method: 'POST', url: '/admin/login', payload, remoteAddress: freshClient() })
    expect(res.statusCode).toBe(status)
    expect(res.json().code).toMatch(/^ATD_/)
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('refuses a body over 64 KiB (413), malformed JSON (400) and other content types (415)', async () => {
    const big = await w.app.inject({ method: 'POST', url: '/admin/login', payload: { token: ADMIN_TOKEN, pad: 'x'.repeat(70_000) }, remoteAddress: freshClient() })
    expect(big.statusCode).toBe(413)
    const broken = await w.app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/json' }, payload: '{"token":', remoteAddress: freshClient() })
    expect(broken.statusCode).toBe(400)
    const text = await w.app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'text/plain' }, payload: ADMIN_TOKEN, remoteAddress: freshClient() })
    expect(text.statusCode).toBe(415)
    for (const res of [big, broken, text]) {
      expect(res.json().code).toMatch(/^ATD_/)
      expect(res.headers['set-cookie']).toBeUndefined()
    }
  })

  it('refuses a form that repeats a field (400 ATD_BAD_REQUEST), the right token among them or not, and opens no session', async () => {
    const sessions = async () => Number(((await database.db.execute(sql`select count(*) as n from admin_sessions`)) as unknown as { rows: Array<{ n: unknown }> }).rows[0]!.n)
    const before = await sessions()
    for (const payload of [`token=wrong&token=${ADMIN_TOKEN}`, `token=${ADMIN_TOKEN}&token=wrong`, `token=${ADMIN_TOKEN}&next=/admin&next=/admin/nps`]) {
      const res = await w.app.inject({ ...form({}), payload })
      expect(res.statusCode, payload).toBe(400)
      expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.stringContaining('repeated') })
      expect(res.headers['set-cookie']).toBeUndefined()
    }
    expect(await sessions()).toBe(before)
  })

  it('escapes whatever the next field holds in the form it serves again', async () => {
    const res = await w.app.inject(form({ token: 'wrong', next: '"><script>alert(1)</script>' }))
    expect(res.body).not.toContain('<script>alert(1)')
  })
})
