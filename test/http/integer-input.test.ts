import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

/**
 * Other spellings of the integer `n` that Ajv's type coercion reads as `n` (`"0x1f" == 31`):
 * an id or a limit is decimal digits only, or the request acts on a row it does not name.
 */
const spellings = (n: number): Array<[string, string]> => [
  ['an exponent', `${n}e0`],
  ['hexadecimal', `0x${n.toString(16)}`],
  ['binary', `0b${n.toString(2)}`],
  ['a plus sign', `%2B${n}`],
  ['a leading zero', `0${n}`],
  ['a decimal point', `${n}.0`],
  ['a leading space', `%20${n}`],
  ['a trailing tab', `${n}%09`],
]

describe.each(ENGINES)('integer ids and limits take decimal digits only (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let conversation: number
  let proposal: number

  const state = async () => ({
    conversations: await queryRows(database.db, sql`select id, status, turn_token, updated_at from conversations order by id`),
    events: await queryRows(database.db, sql`select * from conversation_events order by id`),
    messages: await queryRows(database.db, sql`select id from messages order by id`),
    proposals: await queryRows(database.db, sql`select id, status from learning_proposals order by id`),
    additions: await queryRows(database.db, sql`select id from knowledge_additions order by id`),
    surveys: await queryRows(database.db, sql`select id from nps_surveys order by id`),
  })

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    const message = { ...textMessage('wamid.INT1', 'oi'), timestamp: String(Math.floor(Date.now() / 1000)) }
    expect((await w.app.inject(signedPost(webhookWith(message)))).statusCode).toBe(200)
    await w.ingest.idle()
    const [c] = await queryRows<{ id: string }>(database.db, sql`select id from conversations`)
    conversation = Number(c!.id)
    const [p] = await queryRows<{ id: string }>(
      database.db,
      sql`insert into learning_proposals (kind, conversation_id, question, answer, department)
          values ('faq', ${conversation}, 'Vocês abrem no domingo?', 'Abrimos das 9h às 13h.', 'comercial') returning id`,
    )
    proposal = Number(p!.id)
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  const routes = (): Array<[string, 'GET' | 'POST', (id: string) => string, unknown]> => [
    ['a conversation', 'GET', (id) => `/api/conversations/${id}`, undefined],
    ['a hand-off', 'POST', (id) => `/api/conversations/${id}/handoff`, {}],
    ['a resolve', 'POST', (id) => `/api/conversations/${id}/resolve`, {}],
    ["an agent's message", 'POST', (id) => `/api/conversations/${id}/messages`, { text: 'oi' }],
    ['an approval', 'POST', (id) => `/api/learning/proposals/${id}/approve`, undefined],
    ['a rejection', 'POST', (id) => `/api/learning/proposals/${id}/reject`, undefined],
  ]

  it('refuses every other spelling of an existing id with 400 ATD_BAD_REQUEST, changing nothing', async () => {
    const before = await state()
    for (const [label, method, url, body] of routes()) {
      const id = url('').includes('learning') ? proposal : conversation
      for (const [spelling, raw] of spellings(id)) {
        const res = await w.app.inject({ method, url: url(raw), headers: auth, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) })
        expect(res.statusCode, `${label}, ${spelling}: ${res.body}`).toBe(400)
        expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.stringContaining('decimal') })
      }
    }
    expect(await state()).toEqual(before)
  })

  it.each([
    ['/api/conversations', 5],
    ['/api/learning/proposals', 5],
  ])('refuses every other spelling of a limit on %s with 400 ATD_BAD_REQUEST', async (path, limit) => {
    for (const [spelling, raw] of spellings(limit)) {
      const res = await w.app.inject({ url: `${path}?limit=${raw}`, headers: auth })
      expect(res.statusCode, `${spelling}: ${res.body}`).toBe(400)
      expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
    }
    expect((await w.app.inject({ url: `${path}?limit=${limit}`, headers: auth })).statusCode).toBe(200)
  })

  it('still takes the decimal id: the same requests act on the row it names', async () => {
    expect((await w.app.inject({ url: `/api/conversations/${conversation}`, headers: auth })).statusCode).toBe(200)
    const handoff = await w.app.inject({ method: 'POST', url: `/api/conversations/${conversation}/handoff`, headers: auth, payload: {} })
    expect(handoff.json()).toMatchObject({ id: conversation, status: 'handoff' })
    const reject = await w.app.inject({ method: 'POST', url: `/api/learning/proposals/${proposal}/reject`, headers: auth })
    expect(reject.json()).toMatchObject({ id: proposal, status: 'rejected' })
  })
})
