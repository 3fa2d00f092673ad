import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'
import { asPage, CARLA_TOKEN, dashboardDeps, freshClient, login, type LoggedIn } from './dashboard-helpers.js'

const MESSAGE = { customer: '5500012345678', text: 'oi' }

describe.each(ENGINES)('dashboard CSRF and the admin API behind it (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let admin: LoggedIn
  /** A conversation the agents' API (issue #9) acts on, from a signed delivery. */
  let conversationId: number
  const agentsOf = async (id: number) =>
    ((await database.db.execute(sql`select cause, agent from conversation_events where conversation_id = ${id} and agent is not null order by id`)) as unknown as { rows: unknown[] }).rows
  const eventCount = async () => Number(((await database.db.execute(sql`select count(*) as n from conversation_events`)) as unknown as { rows: Array<{ n: unknown }> }).rows[0]!.n)

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    admin = await login(w.app, ADMIN_TOKEN)
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.CSRF1', 'oi'))))).statusCode).toBe(200)
    const [row] = ((await database.db.execute(sql`select id from conversations order by id limit 1`)) as unknown as { rows: Array<{ id: number | string }> }).rows
    conversationId = Number(row!.id)
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  const messages = async () => Number(((await database.db.execute(sql`select count(*) as n from messages`)) as unknown as { rows: Array<{ n: unknown }> }).rows[0]!.n)

  it.each([
    ['without the CSRF token', (s: LoggedIn) => asPage(s, false)],
    ['with a wrong CSRF token', (s: LoggedIn) => ({ ...asPage(s, false), 'x-csrf-token': `${s.csrf}x` })],
    ['with an empty CSRF token', (s: LoggedIn) => ({ ...asPage(s, false), 'x-csrf-token': '' })],
    ['from another origin, even with the token', (s: LoggedIn) => ({ ...asPage(s), origin: 'https://evil.example' })],
  ])('refuses a mutation %s (403 ATD_DASHBOARD_CSRF) and changes nothing', async (_name, headers) => {
    const before = await messages()
    for (const [url, payload] of [
      ['/admin/api/simulator/messages', MESSAGE],
      ['/admin/api/conversations/1/handoff', {}],
      ['/admin/api/conversations/1/messages', { text: 'oi' }],
      ['/admin/logout', {}],
    ] as const) {
      const res = await w.app.inject({ method: 'POST', url, headers: headers(admin), payload })
      expect(res.statusCode, url).toBe(403)
      expect(res.json().code).toBe('ATD_DASHBOARD_CSRF')
    }
    expect(await messages()).toBe(before)
    expect(await agentsOf(conversationId)).toEqual([])
    // The session survived the refused logout.
    expect((await w.app.inject({ url: '/admin/api/session', headers: asPage(admin) })).statusCode).toBe(200)
  })

  it('takes the CSRF token from a form field (the logout form)', async () => {
    const s = await login(w.app, ADMIN_TOKEN)
    const res = await w.app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80' },
      payload: `_csrf=${s.csrf}`,
    })
    expect(res.statusCode).toBe(302)
  })

  it("one session's token does not open another's mutations", async () => {
    const other = await login(w.app, CARLA_TOKEN)
    const res = await w.app.inject({ method: 'POST', url: '/admin/api/conversations/1/release', headers: { ...asPage(other, false), 'x-csrf-token': admin.csrf }, payload: {} })
    expect(res.statusCode).toBe(403)
  })

  it("forwards an action to the admin API by its contract name, as the session's agent whatever the body says", async () => {
    const carla = await login(w.app, CARLA_TOKEN)
    const send = () => w.app.inject({
      method: 'POST',
      url: `/admin/api/conversations/${conversationId}/messages`,
      headers: { ...asPage(carla), 'idempotency-key': 'k-1' },
      // A template: the fixture's message is days old, outside the 24 h window for free text.
      payload: { template: { name: 'retorno_atendimento', language: 'pt_BR', parameters: ['Carla'] }, agent: 'Mallory', _csrf: 'ignored' },
    })
    const res = await send()
    expect(res.statusCode).toBe(202)
    const { outboxId } = res.json() as { outboxId: number }
    // The Idempotency-Key went along: the same request queues nothing new.
    expect((await send()).json()).toMatchObject({ outboxId })
    // The agent's message took the conversation as Carla (the session), never as the body's name.
    expect(await agentsOf(conversationId)).toEqual([{ cause: expect.any(String), agent: 'Carla' }])
  })

  it('the admin acts as "admin"', async () => {
    const res = await w.app.inject({ method: 'POST', url: `/admin/api/conversations/${conversationId}/resolve`, headers: asPage(admin), payload: {} })
    expect(res.statusCode).toBe(200)
    expect((await agentsOf(conversationId)).at(-1)).toMatchObject({ agent: 'admin' })
  })


  it.each([
    ['an unknown action', '/admin/api/conversations/1/erase', {}],
    ['a non-numeric id', '/admin/api/conversations/abc/handoff', {}],
    ['id zero', '/admin/api/conversations/0/handoff', {}],
    ['an id of 17 digits', '/admin/api/conversations/12345678901234567/handoff', {}],
    ['a body that is an array', '/admin/api/conversations/1/handoff', [1, 2]],
    ['a body of 40 fields', '/admin/api/conversations/1/messages', Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]))],
  ])('refuses %s with a 4xx ATD_ code before the admin API sees it', async (_name, url, payload) => {
    const before = await eventCount()
    const res = await w.app.inject({ method: 'POST', url, headers: asPage(admin), payload })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
    expect(res.json().code).toMatch(/^ATD_/)
    expect(await eventCount()).toBe(before)
  })

  it('relays the NPS report of the admin API, and its 400s', async () => {
    const res = await w.app.inject({ url: '/admin/api/reports/nps?from=2026-11-01', headers: asPage(admin) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ responses: 0, nps: null, byDepartment: [] })
    const bad = await w.app.inject({ url: '/admin/api/reports/nps?from=yesterday', headers: asPage(admin) })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toMatch(/^ATD_/)
  })

  it('reads conversations through the admin API with the query as given, and relays its 400s', async () => {
    const ok = await w.app.inject({ url: '/admin/api/conversations?status=handoff&limit=5', headers: asPage(admin) })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ items: [], nextCursor: null })
    const bad = await w.app.inject({ url: '/admin/api/conversations?nope=1', headers: asPage(admin) })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('ATD_BAD_REQUEST')
  })

  it("the dashboard's in-process calls pass the admin API's lockout of the address they come from", async () => {
    // The dashboard calls the admin API with inject(), from 127.0.0.1: lock that address out.
    for (let i = 0; i < 11; i++) await w.app.inject({ url: '/api/conversations', headers: { authorization: 'Bearer wrong' }, remoteAddress: '127.0.0.1' })
    const locked = await w.app.inject({ url: '/api/conversations', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, remoteAddress: '127.0.0.1' })
    expect(locked.statusCode).toBe(429)
    const res = await w.app.inject({ url: '/admin/api/conversations', headers: asPage(admin), remoteAddress: freshClient() })
    expect(res.statusCode).toBe(200)
  })
})
