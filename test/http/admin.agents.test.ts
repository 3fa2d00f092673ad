import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listConversationEvents, queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { tableCounts } from '../helpers/rows.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const HOUR_S = 3600

let customerSeq = 0

describe.each(ENGINES)("admin API: the agents' actions (%s)", (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp

  /** A new customer who wrote `ageS` seconds ago (Meta's timestamp); the conversation's id. */
  async function conversation(ageS = 0): Promise<number> {
    const waId = `55119000${String(++customerSeq).padStart(5, '0')}`
    const message = { ...textMessage(`wamid.AGT${customerSeq}`, 'oi'), from: waId, timestamp: String(Math.floor(Date.now() / 1000) - ageS) }
    expect((await w.app.inject(signedPost(webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: waId }] })))).statusCode).toBe(200)
    const [row] = await queryRows<{ id: string }>(
      database.db,
      sql`select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = ${waId}`,
    )
    return Number(row!.id)
  }

  const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    w.app.inject({
      method: 'POST',
      url,
      headers: { ...auth, ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    })

  const statusOf = async (id: number) =>
    (await queryRows<{ status: string }>(database.db, sql`select status from conversations where id = ${id}`))[0]?.status

  const outbound = (id: number) =>
    queryRows<{ id: string; kind: string; type: string; text: string | null; content: unknown; provider_status: string; payload: unknown }>(
      database.db,
      sql`select id, kind, type, text, content, provider_status, payload from messages where conversation_id = ${id} and direction = 'out' order by outbound_seq`,
    )

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  it('hands off, releases and resolves, recording each action with the agent named in the body (default "agent")', async () => {
    const id = await conversation()
    const handoff = await post(`/api/conversations/${id}/handoff`, { agent: 'Carla' })
    expect(handoff.statusCode, handoff.body).toBe(200)
    expect(handoff.json()).toEqual({ id, status: 'handoff', previous: 'open' })
    const release = await post(`/api/conversations/${id}/release`)
    expect(release.json()).toEqual({ id, status: 'open', previous: 'handoff' })
    const resolve = await post(`/api/conversations/${id}/resolve`, {})
    expect(resolve.json()).toEqual({ id, status: 'resolved', previous: 'open' })
    const events = await listConversationEvents(database.db, id)
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.cause, e.agent])).toEqual([
      ['open', 'handoff', 'handoff', 'Carla'],
      ['handoff', 'open', 'release', 'agent'],
      ['open', 'resolved', 'agent_resolve', 'agent'],
    ])
  })

  it('plans one NPS survey per resolution, due NPS_DELAY_MS after the resolve', async () => {
    const id = await conversation()
    const before = Date.now()
    expect((await post(`/api/conversations/${id}/resolve`)).statusCode).toBe(200)
    expect((await post(`/api/conversations/${id}/resolve`)).statusCode).toBe(200)
    const surveys = await queryRows<{ due_at: unknown; sent_at: unknown }>(database.db, sql`select due_at, sent_at from nps_surveys where conversation_id = ${id}`)
    expect(surveys).toHaveLength(1)
    const due = new Date(surveys[0]!.due_at as string).getTime()
    expect(due).toBeGreaterThanOrEqual(before + 60_000)
    expect(surveys[0]!.sent_at).toBeNull()
  })

  it('answers 409 with the lifecycle code for an action the status does not accept, changing nothing', async () => {
    const id = await conversation()
    const release = await post(`/api/conversations/${id}/release`)
    expect(release.statusCode).toBe(409)
    expect(release.json()).toMatchObject({ code: 'ATD_CONVERSATION_NOT_IN_HANDOFF' })
    await database.db.execute(sql`update conversations set status = 'closed' where id = ${id}`)
    const counts = await tableCounts(database)
    const resolve = await post(`/api/conversations/${id}/resolve`)
    expect(resolve.statusCode).toBe(409)
    expect(resolve.json()).toMatchObject({ code: 'ATD_CONVERSATION_CLOSED' })
    expect(await tableCounts(database)).toEqual(counts)
    expect(await statusOf(id)).toBe('closed')
  })

  it('answers 404 for a conversation that does not exist', async () => {
    for (const action of ['handoff', 'release', 'resolve']) {
      const res = await post(`/api/conversations/999999999/${action}`)
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({ code: 'ATD_NOT_FOUND' })
    }
    const res = await post('/api/conversations/999999999/messages', { text: 'olá' })
    expect(res.statusCode).toBe(404)
  })

  it("queues an agent's text with 202 and its outbox id, takes the conversation, and queues a retried POST once", async () => {
    const id = await conversation()
    const first = await post(`/api/conversations/${id}/messages`, { text: 'Oi, aqui é a Carla.', agent: 'Carla' }, { 'idempotency-key': 'k-1' })
    expect(first.statusCode, first.body).toBe(202)
    const { outboxId } = first.json<{ outboxId: number }>()
    expect(outboxId).toBeGreaterThan(0)
    const again = await post(`/api/conversations/${id}/messages`, { text: 'Oi, aqui é a Carla.', agent: 'Carla' }, { 'idempotency-key': 'k-1' })
    expect(again.statusCode).toBe(202)
    expect(again.json()).toMatchObject({ outboxId, duplicate: true })
    const rows = await outbound(id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ kind: 'agent', type: 'text', text: 'Oi, aqui é a Carla.', provider_status: 'pending', payload: { agent: 'Carla' } })
    expect(await statusOf(id)).toBe('handoff')
    const events = await listConversationEvents(database.db, id)
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.cause, e.agent])).toEqual([['open', 'handoff', 'agent_message', 'Carla']])

    const reused = await post(`/api/conversations/${id}/messages`, { text: 'outra coisa' }, { 'idempotency-key': 'k-1' })
    expect(reused.statusCode).toBe(409)
    expect(reused.json()).toMatchObject({ code: 'ATD_IDEMPOTENCY_KEY_REUSED' })
    expect(await outbound(id)).toHaveLength(1)
  })

  it("refuses a text outside the 24 h window (Meta's timestamp of the customer's last message) and takes a template", async () => {
    const id = await conversation(25 * HOUR_S)
    const counts = await tableCounts(database)
    const text = await post(`/api/conversations/${id}/messages`, { text: 'Oi!' })
    expect(text.statusCode).toBe(409)
    expect(text.json()).toMatchObject({ code: 'ATD_OUTSIDE_SERVICE_WINDOW' })
    expect(await tableCounts(database)).toEqual(counts)
    expect(await statusOf(id)).toBe('open')

    const template = { name: 'retorno_atendimento', language: 'pt_BR', parameters: ['amanhã'] }
    const res = await post(`/api/conversations/${id}/messages`, { template, agent: 'Carla' })
    expect(res.statusCode, res.body).toBe(202)
    const rows = await outbound(id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ kind: 'template', type: 'template', content: template, provider_status: 'pending' })
    expect(await statusOf(id)).toBe('handoff')
  })

  it('still takes a text 23 h after the last message', async () => {
    const id = await conversation(23 * HOUR_S)
    expect((await post(`/api/conversations/${id}/messages`, { text: 'Oi!' })).statusCode).toBe(202)
  })

  describe('hostile input: a 4xx with an ATD_ code, nothing changes', () => {
    const cases: Array<[string, string, unknown, Record<string, string>?]> = [
      ['a non-numeric id', '/api/conversations/abc/handoff', undefined],
      ['id 0', '/api/conversations/0/handoff', undefined],
      ['a negative id', '/api/conversations/-1/release', undefined],
      ['an id past 2^53', '/api/conversations/99999999999999999999/resolve', undefined],
      ['an unknown field', '/api/conversations/ID/handoff', { agent: 'Carla', force: true }],
      ['an agent that is not a string', '/api/conversations/ID/handoff', { agent: 42 }],
      ['an empty agent', '/api/conversations/ID/resolve', { agent: '' }],
      ['an agent of 101 characters', '/api/conversations/ID/handoff', { agent: 'a'.repeat(101) }],
      ['an agent with a control character', '/api/conversations/ID/handoff', { agent: 'Car\nla' }],
      ['a body that is an array', '/api/conversations/ID/handoff', [1, 2]],
      ['malformed JSON', '/api/conversations/ID/handoff', '{"agent": '],
      ['neither text nor template', '/api/conversations/ID/messages', { agent: 'Carla' }],
      ['both text and template', '/api/conversations/ID/messages', { text: 'oi', template: { name: 'x', language: 'pt_BR' } }],
      ['a text that is a number', '/api/conversations/ID/messages', { text: 5 }],
      ['an empty text', '/api/conversations/ID/messages', { text: '' }],
      ['a blank text', '/api/conversations/ID/messages', { text: '   ' }],
      ['a text with NUL', '/api/conversations/ID/messages', { text: 'o\u0000i' }],
      // Not text: stored, it would become U+FFFD, and the customer would get another message.
      ['a text with a lone high surrogate', '/api/conversations/ID/messages', '{"text": "oi \\ud83d"}'],
      ['a text with a lone low surrogate', '/api/conversations/ID/messages', '{"text": "\\ude00 oi"}'],
      ['an agent with a lone surrogate', '/api/conversations/ID/handoff', '{"agent": "Car\\ud800la"}'],
      ['a text over 4,096 characters', '/api/conversations/ID/messages', { text: 'a'.repeat(4097) }],
      ['an unknown field beside the text', '/api/conversations/ID/messages', { text: 'oi', to: '5511999999999' }],
      ['a template without a name', '/api/conversations/ID/messages', { template: { language: 'pt_BR' } }],
      ['a template with a bad name', '/api/conversations/ID/messages', { template: { name: 'Not A Name!', language: 'pt_BR' } }],
      ['a template with a bad language', '/api/conversations/ID/messages', { template: { name: 'ok', language: 'portuguese' } }],
      ['template parameters that are not strings', '/api/conversations/ID/messages', { template: { name: 'ok', language: 'pt_BR', parameters: [1] } }],
      ['a template with an unknown field', '/api/conversations/ID/messages', { template: { name: 'ok', language: 'pt_BR', components: [] } }],
      ['a template that is a string', '/api/conversations/ID/messages', { template: 'ok' }],
      ['an empty Idempotency-Key', '/api/conversations/ID/messages', { text: 'oi' }, { 'idempotency-key': '' }],
      ['an Idempotency-Key of 256 characters', '/api/conversations/ID/messages', { text: 'oi' }, { 'idempotency-key': 'k'.repeat(256) }],
      ['an Idempotency-Key with spaces', '/api/conversations/ID/messages', { text: 'oi' }, { 'idempotency-key': 'a b' }],
      ['a body over 64 KiB', '/api/conversations/ID/messages', { text: 'a'.repeat(70_000) }],
    ]
    it.each(cases)('%s', async (_name, url, payload, headers) => {
      const id = await conversation()
      const counts = await tableCounts(database)
      const res = await post(url.replace('ID', String(id)), payload, headers)
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
      expect(res.statusCode).toBeLessThan(500)
      expect(res.json<{ code: string }>().code).toMatch(/^ATD_/)
      expect(await tableCounts(database)).toEqual(counts)
      expect(await statusOf(id)).toBe('open')
      expect(await listConversationEvents(database.db, id)).toEqual([])
    })

    it('answers 401 without the admin token, changing nothing', async () => {
      const id = await conversation()
      const res = await w.app.inject({ method: 'POST', url: `/api/conversations/${id}/handoff` })
      expect(res.statusCode).toBe(401)
      expect(await statusOf(id)).toBe('open')
    })
  })
})
