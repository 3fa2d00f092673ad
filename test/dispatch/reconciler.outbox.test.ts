import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createReconciler, type HandoffAlert } from '../../src/dispatch/index.js'
import { handOffConversation, queryRows, queueAgentMessage, scheduleHandoffAlert, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'
import { recordingDispatcher, silentLog } from './helpers.js'

const AFTER_MS = 60_000
let seq = 0

describe.each(ENGINES)('reconciler: the outbox and hand-off alerts (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp

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

  /** A customer who wrote just now; the conversation's id. */
  async function conversation(): Promise<number> {
    const waId = `55119000${String(300 + ++seq)}`
    const message = { ...textMessage(`wamid.RO${seq}`, 'oi'), from: waId, timestamp: String(Math.floor(Date.now() / 1000)) }
    expect((await w.app.inject(signedPost(webhookWith(message)))).statusCode).toBe(200)
    const [r] = await queryRows<{ id: string }>(database.db, sql`select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = ${waId}`)
    // The turn's own wake-ups are not this test's subject: nothing is due for it.
    await database.db.execute(sql`update conversations set turn_due_at = null where id = ${r!.id}`)
    return Number(r!.id)
  }

  function reconciler(clock: { now: Date }, alerts: HandoffAlert[] = []) {
    const dispatcher = recordingDispatcher()
    const r = createReconciler({
      db: database.db, dispatcher, log: silentLog, afterMs: AFTER_MS, intervalMs: 3_600_000, now: () => clock.now,
      onHandoffAlert: (a) => alerts.push(a),
    })
    return { r, dispatcher, alerts }
  }

  it("wakes the outbox of an agent's message whose wake-up was lost, once per afterMs while it stays pending", async () => {
    const id = await conversation()
    const at = new Date()
    const queued = await queueAgentMessage(database.db, { conversationId: id, content: { type: 'text', text: 'Oi, aqui é a Carla' }, now: at })
    expect(queued.kind).toBe('queued')
    const clock = { now: new Date(at.getTime() + AFTER_MS - 1_000) }
    const { r, dispatcher } = reconciler(clock)
    try {
      await r.runOnce()
      expect(dispatcher.wakeUps().filter((x) => 'conversationId' in x && x.conversationId === id)).toEqual([])

      clock.now = new Date(at.getTime() + AFTER_MS + 1_000)
      await r.runOnce()
      expect(dispatcher.wakeUps().filter((x) => 'conversationId' in x && x.conversationId === id)).toEqual([
        { queue: 'ai-response', conversationId: id, runAt: clock.now },
      ])
      // Claimed: the next pass leaves it to the wake-up just sent.
      await r.runOnce()
      expect(dispatcher.wakeUps().filter((x) => 'conversationId' in x && x.conversationId === id)).toHaveLength(1)
      // Still pending afterMs later (that wake-up was lost too): sent again.
      clock.now = new Date(clock.now.getTime() + AFTER_MS + 1_000)
      await r.runOnce()
      expect(dispatcher.wakeUps().filter((x) => 'conversationId' in x && x.conversationId === id)).toHaveLength(2)
    } finally {
      await r.close()
    }
  })

  it('leaves alone an outbox whose sender holds the lease, and rows already sent', async () => {
    const id = await conversation()
    const at = new Date()
    await queueAgentMessage(database.db, { conversationId: id, content: { type: 'text', text: 'Oi' }, now: at })
    const clock = { now: new Date(at.getTime() + AFTER_MS + 1_000) }
    await database.db.execute(sql`update conversations set outbox_lease_until = ${new Date(clock.now.getTime() + 5_000)} where id = ${id}`)
    const { r, dispatcher } = reconciler(clock)
    try {
      await r.runOnce()
      expect(dispatcher.wakeUps().filter((x) => 'conversationId' in x && x.conversationId === id)).toEqual([])
      await database.db.execute(sql`update conversations set outbox_lease_until = 'epoch' where id = ${id}`)
      await database.db.execute(sql`update messages set provider_status = 'sent' where conversation_id = ${id} and direction = 'out'`)
      await r.runOnce()
      expect(dispatcher.wakeUps().filter((x) => 'conversationId' in x && x.conversationId === id)).toEqual([])
    } finally {
      await r.close()
    }
  })

  it('raises one alert for a hand-off still waiting for a person past its due time, with ids only', async () => {
    const id = await conversation()
    const at = new Date()
    await database.db.execute(sql`update conversations set status = 'handoff' where id = ${id}`)
    const due = new Date(at.getTime() + 15 * 60_000)
    await scheduleHandoffAlert(database.db, id, due)
    // A second hand-off does not push the alert back.
    await scheduleHandoffAlert(database.db, id, new Date(due.getTime() + 3_600_000))
    const clock = { now: new Date(due.getTime() - 1) }
    const { r, alerts } = reconciler(clock)
    try {
      await r.runOnce()
      expect(alerts.filter((a) => a.conversationId === id)).toEqual([])
      clock.now = new Date(due.getTime() + 1)
      await r.runOnce()
      await r.runOnce()
      expect(alerts.filter((a) => a.conversationId === id)).toEqual([{ conversationId: id, dueAt: due }])
    } finally {
      await r.close()
    }
  })

  it('raises no alert once a person acted on the hand-off', async () => {
    const id = await conversation()
    const at = new Date()
    await database.db.execute(sql`update conversations set status = 'handoff' where id = ${id}`)
    const due = new Date(at.getTime() + 15 * 60_000)
    await scheduleHandoffAlert(database.db, id, due)
    expect(await handOffConversation(database.db, id, new Date(at.getTime() + 60_000), 'Carla')).toMatchObject({ kind: 'done' })
    const { r, alerts } = reconciler({ now: new Date(due.getTime() + 1) })
    try {
      await r.runOnce()
      expect(alerts.filter((a) => a.conversationId === id)).toEqual([])
    } finally {
      await r.close()
    }
  })
})
