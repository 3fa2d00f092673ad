import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRetention, type Retention } from '../../src/privacy/index.js'
import { insertAlerts, listAlerts, queryRows, type AlertInput, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'

const DAY = 24 * 60 * 60 * 1000
const NOW = new Date('2026-11-30T12:00:00.000Z')
const silent = pino({ level: 'silent' })

const alertAt = (daysAgo: number, subject: string): AlertInput => ({
  rule: 'queue_backlog', severity: 'warning', subject, details: { waiting: 1_500 }, at: new Date(NOW.getTime() - daysAgo * DAY),
})

describe.each(ENGINES)('alert retention (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let retention: Retention | undefined
  beforeEach(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterEach(async () => {
    await retention?.close()
    retention = undefined
    await database.close()
    await t.drop()
  })

  const subjects = async () => (await listAlerts(database.db, { limit: 200 })).map((a) => a.subject)

  it('deletes alerts older than ALERT_RETENTION_DAYS, in batches, even when customer data is kept for ever', async () => {
    // Written out of time order, as several processes would.
    await insertAlerts(database.db, [alertAt(31, 'old-1'), alertAt(1, 'young-1'), alertAt(45, 'old-2'), alertAt(29.9, 'young-2'), alertAt(30.1, 'old-3')])
    retention = createRetention({ db: database.db, log: silent, retentionDays: 0, alertRetentionDays: 30, batchSize: 2, now: () => NOW, checkIntervalMs: DAY })
    const report = await retention.runOnce()
    expect(report?.removed).toMatchObject({ alerts: 3, messages: 0, conversations: 0 })
    expect(await subjects()).toEqual(['young-1', 'young-2'])
  })

  it('keeps 30 days by default', async () => {
    await insertAlerts(database.db, [alertAt(30.01, 'old'), alertAt(29.99, 'young')])
    retention = createRetention({ db: database.db, log: silent, retentionDays: 0, now: () => NOW, checkIntervalMs: DAY })
    expect((await retention.runOnce())?.removed.alerts).toBe(1)
    expect(await subjects()).toEqual(['young'])
  })

  it('runs once per period across processes, as the customer-data purge does', async () => {
    await insertAlerts(database.db, [alertAt(40, 'old')])
    retention = createRetention({ db: database.db, log: silent, retentionDays: 0, alertRetentionDays: 7, now: () => NOW, checkIntervalMs: DAY })
    expect((await retention.runOnce())?.removed.alerts).toBe(1)
    await insertAlerts(database.db, [alertAt(40, 'old again')])
    expect(await retention.runOnce()).toBeUndefined()
    const [r] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from alerts`)
    expect(r!.n).toBe(1)
  })
})
