import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createReconciler, type Reconciler } from '../../src/dispatch/index.js'
import type { WakeUp } from '../../src/queues/index.js'
import { processMessage, openDatabase, queryRows, type Database } from '../../src/store/index.js'
import { QueueUnavailableError } from '../../src/errors.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'
import { deferred, recordingDispatcher, silentLog, type RecordingDispatcher } from './helpers.js'

const AFTER_MS = 60_000

/** timestamptz as both drivers may return it. */
const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string))

interface Seeded {
  messageId: number
  conversationId: number
  createdAt: Date
  enqueuedAt: Date
  turnDueAt: Date
}

describe.each(ENGINES)('reconciler (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  const cleanups: Array<() => Promise<unknown>> = []

  beforeEach(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
  })
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
    await w.close()
    await database.close()
    await t.drop()
  })

  function reconciler(dispatcher: RecordingDispatcher, clock: { now: Date }, db = database): Reconciler {
    // The interval never fires within a test: passes run when the test says so.
    const r = createReconciler({ db: db.db, dispatcher, log: silentLog, afterMs: AFTER_MS, intervalMs: 3_600_000, now: () => clock.now })
    cleanups.push(() => r.close())
    return r
  }

  /** A customer message through the real webhook and ingest; its wake-up went to a runtime that runs nothing. */
  async function seed(wamid: string, from = '5511900000001'): Promise<Seeded> {
    const res = await w.app.inject(signedPost(webhookWith({ ...textMessage(wamid, 'oi'), from })))
    expect(res.statusCode).toBe(200)
    await w.ingest.idle()
    const [r] = await queryRows<Record<string, unknown>>(
      database.db,
      sql`select m.id, m.conversation_id, m.created_at, m.enqueued_at, c.turn_due_at
          from messages m join conversations c on c.id = m.conversation_id where m.wamid = ${wamid}`,
    )
    return {
      messageId: Number(r!.id),
      conversationId: Number(r!.conversation_id),
      createdAt: toDate(r!.created_at)!,
      enqueuedAt: toDate(r!.enqueued_at)!,
      turnDueAt: toDate(r!.turn_due_at)!,
    }
  }

  async function column(table: 'messages' | 'conversations', col: 'enqueued_at' | 'turn_enqueued_at', id: number) {
    const [r] = await queryRows<Record<string, unknown>>(database.db, sql`select ${sql.identifier(col)} as v from ${sql.identifier(table)} where id = ${id}`)
    return toDate(r!.v)
  }

  const later = (d: Date, ms: number) => new Date(d.getTime() + ms)

  it('re-dispatches a message left unprocessed afterMs after its wake-up, reviving it, and stamps enqueued_at', async () => {
    const m = await seed('wamid.REC1')
    const clock = { now: later(m.enqueuedAt, AFTER_MS + 1) }
    const dispatcher = recordingDispatcher()
    const r = reconciler(dispatcher, clock)

    expect(await r.runOnce()).toBeGreaterThanOrEqual(1)
    expect(dispatcher.calls).toHaveLength(1)
    expect(dispatcher.calls[0]!.options).toEqual({ revive: true })
    expect(dispatcher.wakeUps()).toContainEqual({ queue: 'message-processing', messageId: m.messageId })
    expect(await column('messages', 'enqueued_at', m.messageId)).toEqual(clock.now)

    // Stamped: the next pass at the same moment finds nothing overdue.
    expect(await r.runOnce()).toBe(0)
    expect(dispatcher.calls).toHaveLength(1)
  })

  it('re-dispatches a due turn whose lease is free and whose wake-up is stale as ai-response at turn_due_at', async () => {
    const m = await seed('wamid.REC2')
    // Processed, and the turn's wake-up stamped as sent, at the same moment.
    const turnEnqueuedAt = later(m.enqueuedAt, 1_000)
    await processMessage(database.db, m.messageId, turnEnqueuedAt)
    const clock = { now: later(turnEnqueuedAt, AFTER_MS + 1) }
    const dispatcher = recordingDispatcher()

    expect(await reconciler(dispatcher, clock).runOnce()).toBe(1)
    expect(dispatcher.calls).toEqual([
      { wakeUps: [{ queue: 'ai-response', conversationId: m.conversationId, runAt: m.turnDueAt }], options: { revive: true } },
    ])
    expect(await column('conversations', 'turn_enqueued_at', m.conversationId)).toEqual(clock.now)
  })

  it('leaves a due turn alone while its lease is held', async () => {
    const m = await seed('wamid.REC3')
    await processMessage(database.db, m.messageId, later(m.enqueuedAt, 10))
    const clock = { now: later(m.enqueuedAt, AFTER_MS + 1) }
    // A turn running elsewhere holds the lease past the reconciler's now.
    const held = await queryRows(database.db, sql`update conversations set lease_until = ${later(clock.now, 30_000)}
                                                  where id = ${m.conversationId} returning id`)
    expect(held).toHaveLength(1)
    const dispatcher = recordingDispatcher()

    expect(await reconciler(dispatcher, clock).runOnce()).toBe(0)
    expect(dispatcher.calls).toEqual([])
  })

  it('re-dispatches nothing before afterMs has passed', async () => {
    const m = await seed('wamid.REC4')
    const clock = { now: later(m.createdAt, AFTER_MS - 1) }
    const dispatcher = recordingDispatcher()
    const r = reconciler(dispatcher, clock)

    expect(await r.runOnce()).toBe(0)
    expect(dispatcher.calls).toEqual([])

    clock.now = later(m.enqueuedAt, AFTER_MS + 1)
    expect(await r.runOnce()).toBe(2)
    expect(dispatcher.wakeUps().map((x) => x.queue).sort()).toEqual(['ai-response', 'message-processing'])
  })

  it('takes the rows again on the next pass when a dispatch fails', async () => {
    const m = await seed('wamid.REC6')
    const clock = { now: later(m.enqueuedAt, AFTER_MS + 1) }
    let fail = true
    const dispatcher = recordingDispatcher(async () => {
      if (fail) throw new QueueUnavailableError('redis is down')
    })
    const r = reconciler(dispatcher, clock)

    await expect(r.runOnce()).rejects.toBeInstanceOf(QueueUnavailableError)
    fail = false
    clock.now = later(clock.now, 1_000)
    expect(await r.runOnce()).toBe(2)
    expect(dispatcher.calls.map((c) => c.wakeUps)).toEqual([
      [{ queue: 'message-processing', messageId: m.messageId }, { queue: 'ai-response', conversationId: m.conversationId, runAt: m.turnDueAt }],
      [{ queue: 'message-processing', messageId: m.messageId }, { queue: 'ai-response', conversationId: m.conversationId, runAt: m.turnDueAt }],
    ])
    expect(await column('messages', 'enqueued_at', m.messageId)).toEqual(clock.now)
  })

  // PGlite has a single connection: two reconcilers on it run one after the other, so there
  // is no race to prove there; one PGlite directory is one process anyway.
  it.skipIf(engine === 'pglite')('dispatches each row once in total when two reconcilers run a pass at the same moment', async () => {
    const seeded = [await seed('wamid.RACE1', '5511900000011'), await seed('wamid.RACE2', '5511900000012'), await seed('wamid.RACE3', '5511900000013')]
    const other = await openDatabase({ url: t.url, dataDir: t.dataDir, statementTimeoutMs: 5_000 })
    cleanups.push(() => other.close())
    const latest = Math.max(...seeded.map((s) => s.enqueuedAt.getTime()))
    const clock = { now: new Date(latest + AFTER_MS + 1) }

    // The first dispatch waits until the other pass has finished or dispatched too: the window
    // between one pass reading rows and stamping them stays open for the other pass.
    const gate = deferred()
    const dispatched: WakeUp[][] = []
    const hook = async (wakeUps: readonly WakeUp[]) => {
      dispatched.push([...wakeUps])
      if (dispatched.length === 1) await gate.promise
      else gate.resolve()
    }
    const a = reconciler(recordingDispatcher(hook), clock)
    const b = reconciler(recordingDispatcher(hook), clock, other)
    const counts = await Promise.all([a.runOnce().finally(gate.resolve), b.runOnce().finally(gate.resolve)])

    const keys = dispatched.flat().map((x) => ('messageId' in x ? `m${x.messageId}` : `c${x.conversationId}`))
    const expected = [...seeded.map((s) => `m${s.messageId}`), ...new Set(seeded.map((s) => `c${s.conversationId}`))]
    expect(keys.sort()).toEqual(expected.sort())
    expect(counts.sort()).toEqual([0, expected.length])
  })

  it('close() is idempotent and waits for a running pass', async () => {
    const m = await seed('wamid.REC5')
    const release = deferred()
    const entered = deferred()
    const dispatcher = recordingDispatcher(async () => {
      entered.resolve()
      await release.promise
    })
    const r = reconciler(dispatcher, { now: later(m.enqueuedAt, AFTER_MS + 1) })
    const pass = r.runOnce()
    await entered.promise

    const events: string[] = []
    const closing = Promise.all([r.close(), r.close()]).then(() => events.push('closed'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(events).toEqual([])
    release.resolve()
    expect(await pass).toBe(2)
    await closing
    expect(events).toEqual(['closed'])
    await r.close()
  })
})
