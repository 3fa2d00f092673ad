import { sql } from 'drizzle-orm'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'
import { asPage, dashboardDeps, freshClient, login, type LoggedIn } from './dashboard-helpers.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const json = { 'content-type': 'application/json' }
const xml = { 'content-type': 'application/xml' }

/** Every row of every table, as one string per table: "nothing changed" is these staying equal. */
async function everyRow(database: Database): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(
    database.db,
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  )
  const out: Record<string, string> = {}
  for (const { name } of tables) {
    const [r] = await queryRows<{ rows: string }>(database.db, sql.raw(`select coalesce(string_agg(t::text, ',' order by t::text), '') as rows from "${name}" t`))
    out[name] = r!.rows
  }
  return out
}

/**
 * Requests Fastify itself refuses (the body parser, the router) before any route runs: the
 * answer is our `{ code, message }` with a catalogued ATD_ code, never Fastify's own FST_ code.
 */
describe.each(ENGINES)("Fastify's own refusals answer with ATD_ codes (%s)", (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let admin: LoggedIn

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    admin = await login(w.app, ADMIN_TOKEN)
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.FWERR1', 'oi'))))).statusCode).toBe(200)
    await w.ingest.idle()
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  const big = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes) })
  const page = () => asPage(admin)

  const cases: Array<[string, number, string, () => InjectOptions]> = [
    // The webhook
    ['a webhook over 3 MB', 413, 'ATD_BODY_TOO_LARGE', () => signedPost(big(3 * 1024 * 1024))],
    ['a webhook that is not JSON', 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ ...signedPost('a=1'), headers: { ...signedPost('a=1').headers, 'content-type': 'application/x-www-form-urlencoded' } })],
    ['a webhook without a content type', 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-length': '2' }, payload: '{}' })],
    ['a path that is not valid percent-encoding', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/webhooks/%E0%A4%A', headers: json, payload: '{}' })],
    // The admin API
    ['an erase with malformed JSON', 400, 'ATD_BAD_REQUEST', () => ({ method: 'DELETE', url: '/api/contacts/5511900000001', headers: { ...auth, ...json }, payload: '{' })],
    ['an erase with an empty JSON body', 400, 'ATD_BAD_REQUEST', () => ({ method: 'DELETE', url: '/api/contacts/5511900000001', headers: { ...auth, ...json }, payload: '' })],
    ['an erase with an XML body', 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ method: 'DELETE', url: '/api/contacts/5511900000001', headers: { ...auth, ...xml }, payload: '<a/>' })],
    ['an erase with a body over 1 MiB', 413, 'ATD_BODY_TOO_LARGE', () => ({ method: 'DELETE', url: '/api/contacts/5511900000001', headers: { ...auth, ...json }, payload: big(1024 * 1024) })],
    ['a metrics reset with a prototype-polluting body', 400, 'ATD_BAD_REQUEST', () => ({ method: 'DELETE', url: '/api/metrics/http', headers: { ...auth, ...json }, payload: '{"__proto__":{"x":1}}' })],
    ['an approval with an XML body', 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ method: 'POST', url: '/api/learning/proposals/1/approve', headers: { ...auth, ...xml }, payload: '<a/>' })],
    ["an agent's hand-off with an XML body", 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ method: 'POST', url: '/api/conversations/1/handoff', headers: { ...auth, ...xml }, payload: '<a/>' })],
    ['an admin path that is not valid percent-encoding', 400, 'ATD_BAD_REQUEST', () => ({ url: '/api/conversations/%E0%A4%A', headers: auth })],
    ['a route parameter longer than the router takes', 414, 'ATD_URI_TOO_LONG', () => ({ method: 'DELETE', url: `/api/contacts/${'5'.repeat(300)}`, headers: auth })],
    // The dashboard
    ['a login with malformed JSON', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/admin/login', headers: json, payload: '{"token":', remoteAddress: freshClient() })],
    ['a login with an empty JSON body', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/admin/login', headers: json, payload: '', remoteAddress: freshClient() })],
    ['a login with a prototype-polluting body', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/admin/login', headers: json, payload: `{"__proto__":{"x":1},"token":"${ADMIN_TOKEN}"}`, remoteAddress: freshClient() })],
    ['a login over 64 KiB', 413, 'ATD_BODY_TOO_LARGE', () => ({ method: 'POST', url: '/admin/login', headers: json, payload: big(70_000), remoteAddress: freshClient() })],
    ['a login as XML', 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ method: 'POST', url: '/admin/login', headers: xml, payload: '<a/>', remoteAddress: freshClient() })],
    ['a simulated message with malformed JSON', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/admin/api/simulator/messages', headers: { ...page(), ...json }, payload: '{' })],
    ['a simulated message over 64 KiB', 413, 'ATD_BODY_TOO_LARGE', () => ({ method: 'POST', url: '/admin/api/simulator/messages', headers: { ...page(), ...json }, payload: big(70_000) })],
    ["a dashboard hand-off as text", 415, 'ATD_UNSUPPORTED_MEDIA_TYPE', () => ({ method: 'POST', url: '/admin/api/conversations/1/handoff', headers: { ...page(), 'content-type': 'text/plain' }, payload: 'x' })],
    ['a dashboard approval with an empty JSON body', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/admin/api/learning/proposals/1/approve', headers: { ...page(), ...json }, payload: '' })],
    ['a logout with malformed JSON', 400, 'ATD_BAD_REQUEST', () => ({ method: 'POST', url: '/admin/logout', headers: { ...page(), ...json }, payload: '{' })],
    ['an asset path that is not valid percent-encoding', 400, 'ATD_BAD_REQUEST', () => ({ url: '/admin/assets/%E0%A4%A' })],
  ]

  it.each(cases)('%s: %i %s, nothing changes', async (_name, status, code, request) => {
    const before = await everyRow(database)
    const res = await w.app.inject(request())
    expect(res.statusCode, res.body).toBe(status)
    expect(res.json()).toEqual({ code, message: expect.any(String) })
    expect(res.json<{ message: string }>().message.length).toBeLessThan(400)
    await w.ingest.idle()
    expect(await everyRow(database)).toEqual(before)
  })

  it('the session survived every refused request', async () => {
    expect((await w.app.inject({ url: '/admin/api/session', headers: page() })).statusCode).toBe(200)
  })
})
