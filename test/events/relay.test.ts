import { createHmac, timingSafeEqual } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { createEventRelay, SIGNATURE_HEADER, type EventBody, type EventRelay } from '../../src/events/index.js'
import { loggerOptions } from '../../src/log/index.js'
import { applyLifecycleEvent, queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { startFakeReceiver, type FakeReceiver, type ReceivedPost } from '../helpers/fake-receiver.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const EVENTS_SECRET = 'events-secret-for-tests'
const log = pino(loggerOptions('silent'))

/** A text from customer `n` (5511900000001, 5511900000002, …). */
function inbound(n: number, wamid: string, text: string) {
  const waId = `551190000000${n}`
  return signedPost(webhookWith({ ...textMessage(wamid, text), from: waId }, { contacts: [{ profile: { name: `Cliente ${n}` }, wa_id: waId }] }))
}

/** What the receiver must check: the HMAC of the raw bytes, in constant time. */
function validSignature(post: ReceivedPost): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', EVENTS_SECRET).update(post.raw).digest('hex')}`)
  const given = Buffer.from(String(post.headers[SIGNATURE_HEADER] ?? ''))
  return given.length === expected.length && timingSafeEqual(given, expected)
}

describe.each(ENGINES)('outgoing events (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let receiver: FakeReceiver
  let relay: EventRelay | undefined

  // A database of its own per test: events of one test never reach another's receiver.
  beforeEach(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
  })
  afterEach(async () => {
    await relay?.close()
    relay = undefined
    await receiver?.close()
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  const startRelay = (intervalMs = 20) =>
    createEventRelay({ db: database.db, log, url: receiver.url, secret: secret(EVENTS_SECRET), intervalMs, backoffMs: 10, maxBackoffMs: 40 })

  it('a receiver down for a while then back gets every event once per id, in order per conversation, signed', async () => {
    receiver = await startFakeReceiver()
    await receiver.down()
    relay = startRelay(1_000_000) // passes by hand until the receiver is back
    expect(await relay.runOnce()).toBe(0) // the first pass marks where events begin
    for (const [n, wamid, text] of [[1, 'wamid.EV1', 'oi'], [2, 'wamid.EV2', 'bom dia'], [1, 'wamid.EV3', 'minha internet caiu'], [2, 'wamid.EV4', 'boleto'], [1, 'wamid.EV5', 'ainda sem sinal']] as const) {
      expect((await w.app.inject(inbound(n, wamid, text))).statusCode).toBe(200)
    }
    // A person takes customer 2's conversation (the status the turn writes on a hand-off).
    await database.db.execute(sql`update conversations c set status = 'handoff', updated_at = now()
                                  from contacts k where k.id = c.contact_id and k.wa_id = '5511900000002'`)
    for (let i = 0; i < 3; i++) expect(await relay.runOnce()).toBe(0) // refused connections
    // Only each conversation's oldest event is tried: the others wait behind it.
    const [pending] = await queryRows<{ n: number; tried: number }>(
      database.db,
      sql`select count(*)::int as n, (count(*) filter (where attempts > 0))::int as tried from outgoing_events where delivered_at is null`,
    )
    expect(pending).toEqual({ n: 6, tried: 2 })
    await relay.close()

    await receiver.up()
    relay = startRelay()
    const posts = await receiver.waitForPosts(6)
    const bodies = posts.map((p) => p.json as EventBody)
    console.info(`events timeline (${engine}): ${bodies.map((b) => `${b.type}@${b.contact.slice(-1)}${b.data.seq === undefined ? '' : `#${String(b.data.seq)}`}`).join(' → ')}`)
    expect(posts.every(validSignature)).toBe(true)
    expect(new Set(bodies.map((b) => b.id)).size).toBe(6)
    for (const b of bodies) expect(Object.keys(b)).toEqual(['id', 'type', 'at', 'conversationId', 'contact', 'data'])
    const byContact = (c: string) => bodies.filter((b) => b.contact === c)
    expect(byContact('5511900000001').map((b) => [b.type, b.data.text])).toEqual([
      ['message.received', 'oi'], ['message.received', 'minha internet caiu'], ['message.received', 'ainda sem sinal'],
    ])
    expect(byContact('5511900000002').map((b) => b.type)).toEqual(['message.received', 'message.received', 'conversation.handoff'])
    expect(bodies[0]).toMatchObject({ type: 'message.received', contact: '5511900000001', data: { wamid: 'wamid.EV1', seq: 1, type: 'text', profileName: 'Cliente 1' } })
    // A later pass finds nothing new and sends nothing twice.
    await relay.close()
    relay = startRelay(1_000_000)
    expect(await relay.runOnce()).toBe(0)
    expect(receiver.posts).toHaveLength(6)
  })

  it('redelivers a refused event with the same id and bytes, and holds its conversation\'s later events until then', async () => {
    receiver = await startFakeReceiver()
    let refusals = 0
    receiver.answer((post) => ((post.json as EventBody).data.text === 'primeira' && refusals++ < 2 ? 503 : 200))
    relay = startRelay(1_000_000)
    await relay.runOnce()
    expect((await w.app.inject(inbound(3, 'wamid.EV6', 'primeira'))).statusCode).toBe(200)
    expect((await w.app.inject(inbound(3, 'wamid.EV7', 'segunda'))).statusCode).toBe(200)
    await relay.close()
    relay = startRelay()
    const posts = await receiver.waitForPosts(4)
    expect(posts.map((p) => [p.status, (p.json as EventBody).data.text])).toEqual([[503, 'primeira'], [503, 'primeira'], [200, 'primeira'], [200, 'segunda']])
    expect(new Set(posts.slice(0, 3).map((p) => p.raw.toString('utf8'))).size).toBe(1)
    expect(posts.every(validSignature)).toBe(true)
  })

  it('sends a hand-off recorded by the lifecycle with its cause and agent', async () => {
    receiver = await startFakeReceiver()
    relay = startRelay(1_000_000)
    await relay.runOnce()
    expect((await w.app.inject(inbound(5, 'wamid.EV9', 'preciso de ajuda'))).statusCode).toBe(200)
    const [c] = await queryRows<{ id: number }>(database.db, sql`select id from conversations`)
    expect(await applyLifecycleEvent(database.db, { conversationId: Number(c!.id), event: 'handoff', agent: 'Carla', at: new Date() })).toMatchObject({ ok: true })
    await relay.close()
    relay = startRelay()
    const posts = await receiver.waitForPosts(2)
    expect(posts.map((p) => p.json as EventBody).map((b) => [b.type, b.data.cause, b.data.agent])).toEqual([
      ['message.received', undefined, undefined],
      ['conversation.handoff', 'handoff', 'Carla'],
    ])
  })

  it('drops an erased customer\'s undelivered events and sends contact.erased', async () => {
    receiver = await startFakeReceiver()
    await receiver.down()
    relay = startRelay(1_000_000)
    await relay.runOnce()
    expect((await w.app.inject(inbound(4, 'wamid.EV8', 'meu CPF é 123.456.789-09'))).statusCode).toBe(200)
    await relay.runOnce()
    const erased = await w.app.inject({ method: 'DELETE', url: '/api/contacts/5511900000004', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(erased.statusCode).toBe(200)
    expect(erased.json().removed.outgoing_events).toBe(1)
    await relay.close()
    await receiver.up()
    relay = startRelay()
    const [post] = await receiver.waitForPosts(1)
    expect(post!.json).toMatchObject({ type: 'contact.erased', contact: '5511900000004', conversationId: null, data: {} })
    expect(validSignature(post!)).toBe(true)
    expect(post!.raw.toString()).not.toContain('123.456.789-09')
    await relay.close()
    relay = undefined
    const left = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from outgoing_events where contact = '5511900000004' and delivered_at is null`)
    expect(left[0]!.n).toBe(0)
  })
})
