import { sql } from 'drizzle-orm'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'
import { asPage, dashboardDeps, freshClient, login, sessionCookie, type LoggedIn } from './dashboard-helpers.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const json = { 'content-type': 'application/json' }
const CUSTOMER = '5500012345678'

/**
 * Fastify's Ajv coerces types by default (`coerceTypes: 'array'`). A JSON body is not
 * coerced: a number is not the text "5", `["hi"]` is not "hi", `"true"` is not true, and `0`,
 * `false`, `""` or `[null]` are not an empty (null) body. Each is a 400 that changes nothing.
 */
describe.each(ENGINES)('request bodies keep their JSON types (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let admin: LoggedIn
  let proposal: number

  const state = async () => ({
    conversations: await queryRows(database.db, sql`select id, status from conversations order by id`),
    messages: await queryRows(database.db, sql`select id, text from messages order by id`),
    proposals: await queryRows(database.db, sql`select id, status, question, answer from learning_proposals order by id`),
    additions: await queryRows(database.db, sql`select id from knowledge_additions order by id`),
  })

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    admin = await login(w.app, ADMIN_TOKEN)
    const [p] = await queryRows<{ id: string }>(
      database.db,
      sql`with k as (insert into contacts (customer_key, wa_id, profile_name) values ('wa:5511955500001', '5511955500001', 'Cliente') returning id),
          c as (insert into conversations (phone_number_id, contact_id) select '1000', id from k returning id)
          insert into learning_proposals (kind, conversation_id, question, answer, department)
          select 'faq', c.id, 'Vocês abrem no domingo?', 'Abrimos das 9h às 13h.', 'comercial' from c returning id`,
    )
    proposal = Number(p!.id)
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  const raw = (url: string, headers: Record<string, string>, payload: string): InjectOptions => ({ method: 'POST', url, headers: { ...json, ...headers }, payload })
  const simulator = (body: string) => raw('/admin/api/simulator/messages', asPage(admin), body)
  const approve = (body: string) => raw(`/api/learning/proposals/${proposal}/approve`, auth, body)
  const reject = (body: string) => raw(`/api/learning/proposals/${proposal}/reject`, auth, body)
  const viaDashboard = (action: string, body: string) => raw(`/admin/api/learning/proposals/${proposal}/${action}`, asPage(admin), body)

  const refused: Array<[string, () => InjectOptions]> = [
    ['a simulated text that is a number', () => simulator(JSON.stringify({ customer: CUSTOMER, text: 5 }))],
    ['a simulated text that is a one-item array', () => simulator(JSON.stringify({ customer: CUSTOMER, text: ['hi'] }))],
    ['a simulated text that is a boolean', () => simulator(JSON.stringify({ customer: CUSTOMER, text: true }))],
    ['a simulated customer that is a number', () => simulator(JSON.stringify({ customer: Number(CUSTOMER), text: 'oi' }))],
    ['an approval whose allowPersonalData is the text "true"', () => approve(JSON.stringify({ allowPersonalData: 'true' }))],
    ['an approval whose allowPersonalData is 1', () => approve(JSON.stringify({ allowPersonalData: 1 }))],
    ['an approval whose question is a number', () => approve(JSON.stringify({ question: 5 }))],
    ['an approval whose answer is a one-item array', () => approve(JSON.stringify({ answer: ['Abrimos.'] }))],
    ['an approval whose body is 0', () => approve('0')],
    ['an approval whose body is false', () => approve('false')],
    ['an approval whose body is ""', () => approve('""')],
    ['an approval whose body is [null]', () => approve('[null]')],
    ['a rejection whose body is 0', () => reject('0')],
    ['a rejection whose body is [null]', () => reject('[null]')],
    ['a rejection whose body is [{}]', () => reject('[{}]')],
    ["the dashboard's approval whose allowPersonalData is the text \"true\"", () => viaDashboard('approve', JSON.stringify({ allowPersonalData: 'true' }))],
    ["the dashboard's rejection whose body is [{}]", () => viaDashboard('reject', '[{}]')],
  ]

  it.each(refused)('refuses %s with 400 ATD_BAD_REQUEST, changing nothing', async (_label, request) => {
    const before = await state()
    const res = await w.app.inject(request())
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
    expect(await state()).toEqual(before)
  })

  it.each([
    ['a number', { token: 12345 }],
    ['a one-item array holding the right token', { token: [ADMIN_TOKEN] }],
  ])('refuses a JSON login whose token is %s with 400 and opens no session', async (_label, payload) => {
    const res = await w.app.inject({ method: 'POST', url: '/admin/login', payload, remoteAddress: freshClient() })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
    expect(sessionCookie(res)).toBeUndefined()
  })

  it('still takes bodies of the right types: a form login, a simulated message, a hand-off, an edited approval', async () => {
    const form = await w.app.inject({
      method: 'POST', url: '/admin/login', remoteAddress: freshClient(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${ADMIN_TOKEN}&next=%2Fadmin%2Flearning&lang=en`,
    })
    expect(form.statusCode, form.body).toBe(302)
    expect(form.headers.location).toBe('/admin/learning')
    expect(sessionCookie(form)).toBeDefined()
    const simulated = await w.app.inject(simulator(JSON.stringify({ customer: CUSTOMER, text: 'oi' })))
    expect(simulated.statusCode, simulated.body).toBe(202)
    const handoff = await w.app.inject(raw(`/admin/api/conversations/${simulated.json().conversationId}/handoff`, asPage(admin), '{}'))
    expect(handoff.statusCode, handoff.body).toBe(200)
    expect(handoff.json()).toMatchObject({ status: 'handoff' })
    const approved = await w.app.inject(approve(JSON.stringify({ question: 'Vocês abrem aos domingos?', allowPersonalData: true })))
    expect(approved.statusCode, approved.body).toBe(200)
    expect(approved.json()).toMatchObject({ id: proposal, status: 'approved' })
  })
})

/**
 * The body's own compiler is Fastify's (@fastify/ajv-compiler) with coercion off, so what a
 * route schema may use keeps working in every part: a shared schema (`addSchema` + `$ref`),
 * `default` (useDefaults), `format` (ajv-formats); params and queries still read numbers from text.
 */
describe('route schemas keep shared schemas, defaults and formats', () => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp

  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    await w.app.register(async (scope: FastifyInstance) => {
      scope.addSchema({ $id: 'probe', type: 'object', properties: { at: { type: 'string', format: 'date-time' }, n: { type: 'integer', default: 7 } }, required: ['at'] })
      scope.post('/probe/:id', {
        schema: {
          params: { type: 'object', properties: { id: { type: 'integer' } } },
          querystring: { type: 'object', properties: { flag: { type: 'boolean' }, size: { type: 'integer', default: 3 } } },
          body: { $ref: 'probe#' },
        },
      }, async (request) => ({ params: request.params, query: request.query, body: request.body }))
    })
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  const probe = (url: string, body: unknown) => w.app.inject({ method: 'POST', url, payload: body as Record<string, unknown> })

  it('validates a body by its shared schema, fills its defaults and coerces the params and query', async () => {
    const res = await probe('/probe/12?flag=true', { at: '2026-11-30T08:00:00-03:00' })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ params: { id: 12 }, query: { flag: true, size: 3 }, body: { at: '2026-11-30T08:00:00-03:00', n: 7 } })
  })

  it.each([
    ['a date-time that is not one', { at: 'yesterday' }],
    ['a shared-schema integer sent as text', { at: '2026-11-30T08:00:00-03:00', n: '7' }],
  ])('refuses %s with 400 ATD_BAD_REQUEST', async (_label, body) => {
    const res = await probe('/probe/12', body)
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toMatchObject({ code: 'ATD_BAD_REQUEST' })
  })

  it('refuses, when the route is registered, a headers schema whose names are not lower case', async () => {
    const other = await buildWebhookApp(database)
    try {
      other.app.get('/mixed', { schema: { headers: { type: 'object', properties: { 'Idempotency-Key': { type: 'string' } } } } }, async () => ({}))
      await expect(other.app.ready()).rejects.toThrow(/lower case/)
    } finally {
      await other.close()
    }
  })
})
