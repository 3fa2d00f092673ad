import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const CUSTOMER = '5511900000201'
const BUSY_CUSTOMER = '5511900000202'

interface Message {
  id: number
  direction: string
  wamid: string | null
  seq: number
  part: number
  type: string
  text: string | null
  providerStatus: string
  error: unknown
  sentAt: string | null
  createdAt: string
}
interface Detail {
  id: number
  status: string
  lastMessage?: { direction: string; text: string | null }
  messages: Message[]
  truncated: boolean
}

function fromCustomer(waId: string, wamid: string, text: string) {
  return webhookWith({ ...textMessage(wamid, text), from: waId }, { contacts: [{ profile: { name: 'Cliente' }, wa_id: waId }] })
}

describe.each(ENGINES)('admin API: conversation detail (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let conversationId: number
  let busyId: number

  const detail = async (id: number): Promise<Detail> => {
    const res = await w.app.inject({ url: `/api/conversations/${id}`, headers: auth })
    expect(res.statusCode, res.body).toBe(200)
    return res.json<Detail>()
  }

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    for (const [n, text] of ['Oi', 'minha internet caiu'].entries()) {
      expect((await w.app.inject(signedPost(fromCustomer(CUSTOMER, `wamid.DET${n}`, text)))).statusCode).toBe(200)
    }
    expect((await w.app.inject(signedPost(fromCustomer(BUSY_CUSTOMER, 'wamid.BUSY', 'primeira')))).statusCode).toBe(200)
    const ids = await queryRows<{ id: string; wa_id: string }>(
      database.db,
      sql`select c.id, k.wa_id from conversations c join contacts k on k.id = c.contact_id`,
    )
    conversationId = Number(ids.find((r) => r.wa_id === CUSTOMER)!.id)
    busyId = Number(ids.find((r) => r.wa_id === BUSY_CUSTOMER)!.id)
    // A reply to seq 1 in two parts: the first sent, the second refused by Meta.
    await database.db.execute(
      sql`insert into messages (conversation_id, direction, kind, outbound_seq, wamid, seq, part, type, text, provider_status, error, sent_at)
          values (${conversationId}, 'out', 'reply', 1, 'wamid.DETOUT0', 1, 0, 'text', 'Olá!', 'delivered', null, now()),
                 (${conversationId}, 'out', 'reply', 2, null, 1, 1, 'text', 'Como posso ajudar?', 'failed',
                  ${JSON.stringify({ code: 131047, title: 'Re-engagement message' })}::jsonb, null)`,
    )
    await database.db.execute(
      sql`insert into messages (conversation_id, direction, wamid, seq, part, type, text, provider_status)
          select ${busyId}, 'in', 'wamid.BUSY' || g, g, 0, 'text', 'm' || g, 'received' from generate_series(2, 520) g`,
    )
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it('shows messages in and out in conversation order with their provider status', async () => {
    const d = await detail(conversationId)
    expect(d.id).toBe(conversationId)
    expect(d.truncated).toBe(false)
    expect(d.messages.map((m) => [m.direction, m.seq, m.part, m.providerStatus])).toEqual([
      ['in', 1, 0, 'received'],
      ['out', 1, 0, 'delivered'],
      ['out', 1, 1, 'failed'],
      ['in', 2, 0, 'received'],
    ])
    expect(d.messages[1]).toMatchObject({ wamid: 'wamid.DETOUT0', text: 'Olá!', error: null })
    expect(d.messages[2]).toMatchObject({ wamid: null, error: { code: 131047, title: 'Re-engagement message' }, sentAt: null })
    expect(d.lastMessage).toMatchObject({ direction: 'in', text: 'minha internet caiu' })
  })

  it('gives ids as numbers and timestamps as ISO strings', async () => {
    const d = await detail(conversationId)
    for (const m of d.messages) {
      expect(typeof m.id).toBe('number')
      expect(m.createdAt).toMatch(ISO)
    }
    expect(d.messages[0]!.sentAt).toBe('2023-11-14T22:13:20.000Z')
    expect(d.messages[1]!.sentAt).toMatch(ISO)
  })

  it('returns only the documented fields of a message', async () => {
    const d = await detail(conversationId)
    expect(Object.keys(d.messages[0]!).sort()).toEqual(
      ['createdAt', 'direction', 'error', 'id', 'media', 'part', 'payload', 'providerStatus', 'sentAt', 'seq', 'text', 'type', 'wamid'].sort(),
    )
    expect(d).not.toHaveProperty('turnToken')
    expect(d).not.toHaveProperty('leaseUntil')
  })

  it('keeps the newest 500 messages of a long conversation and says it truncated', async () => {
    const d = await detail(busyId)
    expect(d.truncated).toBe(true)
    expect(d.messages).toHaveLength(500)
    expect(d.messages[0]!.seq).toBe(21)
    expect(d.messages.at(-1)!.seq).toBe(520)
  })

  it('answers 404 to a conversation that does not exist', async () => {
    const res = await w.app.inject({ url: '/api/conversations/999999', headers: auth })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ code: 'ATD_NOT_FOUND', message: 'conversation 999999 does not exist' })
  })
})
