import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAlerts, type AlertRecord, type Alerts } from '../../src/ops/index.js'
import { insertAlerts, listAlerts, type Database } from '../../src/store/index.js'
import { capturedLog } from '../helpers/captured-log.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { startFakeReceiver, type FakeReceiver } from '../helpers/fake-receiver.js'

const AT = Date.parse('2026-11-30T12:00:00.000Z')
const silent = pino({ level: 'silent' })

/** A promise the test settles. */
function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

describe.each(ENGINES)('alerts kept in the database (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let receiver: FakeReceiver
  let alerts: Alerts | undefined
  let clock: number
  const now = () => clock

  beforeEach(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    receiver = await startFakeReceiver()
    clock = AT
  })
  afterEach(async () => {
    await alerts?.close()
    alerts = undefined
    await receiver.close()
    await database.close()
    await t.drop()
  })

  it('stores each alert that fires, and none that the cool-down holds back', async () => {
    alerts = createAlerts({ log: silent, webhookUrl: undefined, cooldownMs: 600_000, now, store: (batch) => insertAlerts(database.db, batch) })
    expect(alerts.raise('job_failed', { subject: 'ai-response', details: { code: 'ATD_AI_PROVIDER', attempt: 4 } })).toBe(true)
    expect(alerts.raise('job_failed', { subject: 'ai-response', details: { code: 'ATD_AI_PROVIDER', attempt: 4 } })).toBe(false)
    clock += 1_000
    expect(alerts.raise('redis_lost')).toBe(true)
    await alerts.drained()
    const rows = await listAlerts(database.db, { limit: 10 })
    expect(rows).toEqual([
      { id: expect.any(Number), rule: 'redis_lost', severity: 'critical', subject: '-', details: {}, raisedAt: new Date(AT + 1_000) },
      { id: expect.any(Number), rule: 'job_failed', severity: 'critical', subject: 'ai-response', details: { code: 'ATD_AI_PROVIDER', attempt: 4 }, raisedAt: new Date(AT) },
    ])
  })

  it('keeps a value with U+0000 or a lone surrogate, made storable, without failing its batch', async () => {
    alerts = createAlerts({ log: silent, webhookUrl: undefined, cooldownMs: 0, now, store: (batch) => insertAlerts(database.db, batch) })
    alerts.raise('job_failed', { subject: 'queue\u0000x', details: { code: 'ATD_\u0000X', odd: '\ud800' } })
    alerts.raise('quarantine', { details: { parts: 2 } })
    await alerts.drained()
    const rows = await listAlerts(database.db, { limit: 10 })
    expect(rows.map((r) => [r.rule, r.subject, r.details])).toEqual([
      ['quarantine', '-', { parts: 2 }],
      ['job_failed', 'queuex', { code: 'ATD_X', odd: '\ufffd' }],
    ])
  })

  it('with the database down, raise neither throws nor waits: the alert is logged and POSTed, the row dropped with a log line', async () => {
    const { log, lines, logged } = capturedLog()
    alerts = createAlerts({ log, webhookUrl: receiver.url, cooldownMs: 0, now, store: (batch) => insertAlerts(database.db, batch) })
    await database.close()
    expect(alerts.raise('redis_lost')).toBe(true)
    expect(alerts.raise('webhook_5xx', { subject: '503', details: { status: 503 } })).toBe(true)
    // raise() returned before the write was even tried: it never waits on the database.
    expect(lines.some((l) => l.msg === 'alert store: database write failed, alerts not kept')).toBe(false)
    const posts = await receiver.waitForPosts(2)
    expect(posts.map((p) => (p.json as { alert: string }).alert)).toEqual(['redis_lost', 'webhook_5xx'])
    await logged((l) => l.msg === 'alert store: database write failed, alerts not kept')
    await alerts.drained()
    expect(lines.filter((l) => l.event === 'alert').map((l) => l.alert)).toEqual(['redis_lost', 'webhook_5xx'])
    const failures = lines.filter((l) => l.msg === 'alert store: database write failed, alerts not kept')
    expect(failures.flatMap((l) => l.alerts as string[])).toEqual(['redis_lost', 'webhook_5xx'])
    expect(failures.every((l) => l.level === 40)).toBe(true)
    // Reopened for afterEach.
    database = await openMigrated(t)
  })
})

describe('the alert store queue', () => {
  let alerts: Alerts | undefined
  afterEach(async () => {
    await alerts?.close()
    alerts = undefined
  })

  it('writes in the background, one batch at a time, and drops the oldest beyond its bound', async () => {
    const { log, lines } = capturedLog()
    const batches: string[][] = []
    const gate = deferred()
    const store = async (batch: readonly AlertRecord[]) => {
      batches.push(batch.map((a) => a.subject))
      if (batches.length === 1) await gate.promise
    }
    alerts = createAlerts({ log, webhookUrl: undefined, cooldownMs: 0, maxQueued: 3, now: () => AT, store })
    for (let i = 0; i < 6; i++) expect(alerts.raise('handoff_waiting', { subject: String(i) })).toBe(true)
    // The first write is in flight and holds; of the five behind it, the oldest two are dropped.
    await Promise.resolve()
    expect(batches).toEqual([['0']])
    expect(lines.filter((l) => l.msg === 'alert store: queue full, oldest alert not kept')).toHaveLength(2)
    gate.resolve()
    await alerts.drained()
    expect(batches).toEqual([['0'], ['3', '4', '5']])
  })

  it('close() stores what is queued, then refuses new alerts', async () => {
    const batches: string[][] = []
    const gate = deferred()
    const store = async (batch: readonly AlertRecord[]) => {
      batches.push(batch.map((a) => a.subject))
      if (batches.length === 1) await gate.promise
    }
    alerts = createAlerts({ log: silent, webhookUrl: undefined, cooldownMs: 0, now: () => AT, store })
    alerts.raise('queue_backlog', { subject: 'a' })
    alerts.raise('queue_backlog', { subject: 'b' })
    const closed = alerts.close()
    expect(alerts.raise('queue_backlog', { subject: 'late' })).toBe(false)
    gate.resolve()
    await closed
    expect(batches).toEqual([['a'], ['b']])
  })

  it('a store that throws at once is a failed write like any other', async () => {
    const { log, logged } = capturedLog()
    alerts = createAlerts({ log, webhookUrl: undefined, cooldownMs: 0, now: () => AT, store: () => { throw new Error('boom') } })
    expect(() => alerts!.raise('quarantine', { details: { parts: 1 } })).not.toThrow()
    await logged((l) => l.msg === 'alert store: database write failed, alerts not kept' && l.dropped === 1)
    await alerts.drained()
  })
})
