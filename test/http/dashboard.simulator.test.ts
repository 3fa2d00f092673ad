import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'
import { asPage, dashboardDeps, login, type LoggedIn } from './dashboard-helpers.js'

const CUSTOMER = '5500012345678'

describe.each(ENGINES)('dashboard simulator (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let off: WebhookApp
  let admin: LoggedIn

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    // The helper's app verifies signatures with its app secret: an accepted message was signed.
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    off = await buildWebhookApp(database, { dashboard: dashboardDeps({ simulator: false }) })
    admin = await login(w.app, ADMIN_TOKEN)
  })
  afterAll(async () => {
    await off.close()
    await w.close()
    await database.close()
    await t.drop()
  })

  const simulate = (app: WebhookApp, s: LoggedIn, payload: unknown) =>
    app.app.inject({ method: 'POST', url: '/admin/api/simulator/messages', headers: asPage(s), payload: payload as Record<string, unknown> })
  const count = async () => Number((await queryRows<{ n: unknown }>(database.db, sql`select count(*) as n from messages`))[0]!.n)

  it('signs the message on the server and ingests it through the webhook, as a flagged conversation', async () => {
    const res = await simulate(w, admin, { customer: CUSTOMER, text: 'como pego a segunda via?' })
    expect(res.statusCode).toBe(202)
    const { conversationId } = res.json()
    expect(conversationId).toBeGreaterThan(0)
    const [row] = await queryRows<{ simulated: boolean; phone_number_id: string }>(database.db, sql`select simulated, phone_number_id from conversations where id = ${conversationId}`)
    expect(row).toEqual({ simulated: true, phone_number_id: 'simulator' })
    const detail = await w.app.inject({ url: `/admin/api/conversations/${conversationId}`, headers: asPage(admin) })
    expect(detail.json().messages.map((m: { text: string }) => m.text)).toEqual(['como pego a segunda via?'])
    expect(detail.json().simulated).toBe(true)
    const found = await w.app.inject({ url: `/admin/api/simulator/conversation?customer=${CUSTOMER}`, headers: asPage(admin) })
    expect(found.json()).toEqual({ conversationId })
  })

  it('a second message joins the same conversation', async () => {
    const first = (await simulate(w, admin, { customer: '5500087654321', text: 'oi' })).json().conversationId
    const second = (await simulate(w, admin, { customer: '5500087654321', text: 'tudo bem?' })).json().conversationId
    expect(second).toBe(first)
  })

  it('never flags a real conversation', async () => {
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.REAL1', 'oi'))))).statusCode).toBe(200)
    const rows = await queryRows<{ simulated: boolean }>(database.db, sql`select simulated from conversations where phone_number_id <> 'simulator'`)
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.simulated === false)).toBe(true)
  })

  it('answers null for a customer who has not written yet', async () => {
    const res = await w.app.inject({ url: '/admin/api/simulator/conversation?customer=5500011111111', headers: asPage(admin) })
    expect(res.json()).toEqual({ conversationId: null })
  })

  it.each([
    ['a real-looking number', { customer: '5511999990000', text: 'oi' }],
    ['a number with letters', { customer: '55000abcdefgh', text: 'oi' }],
    ['a number too long', { customer: '550001234567890', text: 'oi' }],
    ['no customer', { text: 'oi' }],
    ['an empty text', { customer: CUSTOMER, text: '' }],
    ['a text over 4,096 characters', { customer: CUSTOMER, text: 'a'.repeat(4097) }],
    ['a text that is an object', { customer: CUSTOMER, text: { body: 'oi' } }],
    ['extra fields', { customer: CUSTOMER, text: 'oi', a: 1, b: 2 }],
  ])('refuses %s with 400 and stores nothing', async (_name, payload) => {
    const before = await count()
    const res = await simulate(w, admin, payload)
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toMatch(/^ATD_/)
    expect(await count()).toBe(before)
  })

  it('stores a text with a NUL byte without it (PostgreSQL refuses NUL)', async () => {
    const res = await simulate(w, admin, { customer: '5500022222222', text: 'a\u0000b' })
    expect(res.statusCode).toBe(202)
  })

  it('is off when disabled: 404 ATD_SIMULATOR_DISABLED, nothing stored', async () => {
    const s = await login(off.app, ADMIN_TOKEN)
    const before = await count()
    const res = await simulate(off, s, { customer: CUSTOMER, text: 'oi' })
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('ATD_SIMULATOR_DISABLED')
    expect((await off.app.inject({ url: `/admin/api/simulator/conversation?customer=${CUSTOMER}`, headers: asPage(s) })).statusCode).toBe(404)
    expect(await count()).toBe(before)
  })
})
