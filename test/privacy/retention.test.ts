import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRetention, type Retention } from '../../src/privacy/index.js'
import { commitInbox, openDatabase, queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { scanDatabase } from '../helpers/personal-data-scan.js'
import { tableCounts } from '../helpers/rows.js'
import { within } from '../dispatch/helpers.js'

const DAY = 24 * 60 * 60 * 1000
const HOUR = 60 * 60 * 1000
const silent = pino({ level: 'silent' })
const debounce = { debounceMs: 0, debounceMaxMs: 0 }
/** Long enough that the timer never fires on its own in a test that calls runOnce. */
const NO_TIMER = { checkIntervalMs: 24 * HOUR }

describe.each(ENGINES)('retention (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  const opened: Array<{ close(): Promise<void> }> = []
  beforeEach(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterEach(async () => {
    for (const o of opened.splice(0).reverse()) await o.close()
    await database.close()
    await t.drop()
  })

  function retention(options: { days: number; now: () => Date; db?: Database; batchSize?: number }): Retention {
    const r = createRetention({ db: (options.db ?? database).db, log: silent, retentionDays: options.days, now: options.now, batchSize: options.batchSize, ...NO_TIMER })
    opened.push(r)
    return r
  }

  /** A message from `customer` committed at `at`, with a status of it and a quarantined part naming them, all dated `at`. */
  async function traffic(customer: string, wamid: string, at: Date): Promise<void> {
    const message = {
      phoneNumberId: '1000000001', customerKey: `wa:${customer}`, waId: customer, userId: undefined, profileName: `Nome ${customer}`,
      wamid, type: 'text', text: `texto de ${customer}`, media: undefined, payload: undefined, sentAt: at,
    }
    const status = { wamid, status: 'read', recipient: customer, occurredAt: at, errors: undefined, outboxId: undefined, payload: {} }
    const quarantine = [{ reason: 'test', raw: Buffer.from(JSON.stringify({ from: customer })) }]
    await commitInbox(database.db, { messages: [message], statuses: [status], quarantine }, at, debounce)
    // Statuses and quarantine are dated by the database's clock; the test's clock dates them here.
    await database.db.execute(sql`update status_events set created_at = ${at}::timestamptz where wamid = ${wamid}`)
    await database.db.execute(sql`update quarantine set created_at = ${at}::timestamptz where created_at > ${at}::timestamptz and raw = ${quarantine[0]!.raw}`)
  }

  async function erasedHash(wamid: string, at: Date): Promise<void> {
    await database.db.execute(sql`insert into erased_wamids (hash, erased_at) values (sha256(convert_to(${wamid}, 'UTF8')), ${at}::timestamptz)`)
  }

  const wamids = async () => (await queryRows<{ wamid: string }>(database.db, sql`select wamid from messages order by id`)).map((r) => r.wamid)

  it('purges, in bounded batches, what is older than RETENTION_DAYS and keeps the rest', async () => {
    const now = new Date()
    const old = new Date(now.getTime() - 20 * DAY)
    const recent = new Date(now.getTime() - 2 * DAY)
    // Gone: everything of a customer last seen 20 days ago. Kept: a recent customer, and the
    // recent message of a long conversation whose first message is old.
    for (let i = 1; i <= 5; i++) await traffic('5511900010001', `wamid.OLD.A${i}`, old)
    await traffic('5511900010003', 'wamid.OLD.C1', old)
    await traffic('5511900010002', 'wamid.NEW.B1', recent)
    await traffic('5511900010003', 'wamid.NEW.C2', recent)
    await erasedHash('wamid.ERASED.8DAYS', new Date(now.getTime() - 8 * DAY))
    await erasedHash('wamid.ERASED.6DAYS', new Date(now.getTime() - 6 * DAY))

    const report = await retention({ days: 8, now: () => now, batchSize: 2 }).runOnce()
    console.info(`retention purge (${engine}, batches of 2): ${JSON.stringify(report?.removed)}`)
    expect(report?.removed).toEqual({ messages: 6, status_events: 6, quarantine: 6, outgoing_events: 0, conversation_events: 0, nps_surveys: 0, learning_proposals: 0, learning_records: 0, conversations: 1, contacts: 1, erased_wamids: 1, alerts: 0 })
    expect(await wamids()).toEqual(['wamid.NEW.B1', 'wamid.NEW.C2'])
    expect(await tableCounts(database)).toEqual({ contacts: 2, conversations: 2, messages: 2, status_events: 2, quarantine: 2 })
    expect(await queryRows(database.db, sql`select 1 from erased_wamids`)).toHaveLength(1)
    expect((await scanDatabase(database, ['5511900010001', 'Nome 5511900010001'])).findings).toEqual([])
  })

  it('keeps customer data with RETENTION_DAYS=0, and still drops erased-wamid hashes after 7 days', async () => {
    const now = new Date()
    await traffic('5511900010004', 'wamid.OLD.D1', new Date(now.getTime() - 400 * DAY))
    await erasedHash('wamid.ERASED.OLD', new Date(now.getTime() - 7 * DAY - 1))
    await erasedHash('wamid.ERASED.NEW', new Date(now.getTime() - 7 * DAY + HOUR))
    const report = await retention({ days: 0, now: () => now }).runOnce()
    expect(report?.removed).toEqual({ messages: 0, status_events: 0, quarantine: 0, outgoing_events: 0, conversation_events: 0, nps_surveys: 0, learning_proposals: 0, learning_records: 0, conversations: 0, contacts: 0, erased_wamids: 1, alerts: 0 })
    expect(await tableCounts(database)).toEqual({ contacts: 1, conversations: 1, messages: 1, status_events: 1, quarantine: 1 })
  })

  it('runs once an hour across processes and restarts: the last run is in the database', async () => {
    let clock = Date.now()
    const now = () => new Date(clock)
    // Two processes: on PostgreSQL two connection pools; PGlite has one connection per directory.
    const other = engine === 'postgres' ? await openDatabase({ url: t.url, dataDir: t.dataDir, statementTimeoutMs: 5_000 }) : database
    if (other !== database) opened.push(other)
    const results = await Promise.all([retention({ days: 8, now }).runOnce(), retention({ days: 8, now, db: other }).runOnce()])
    expect(results.filter((r) => r !== undefined)).toHaveLength(1)

    clock += 59 * 60 * 1000
    const restarted = retention({ days: 8, now })
    expect(await restarted.runOnce()).toBeUndefined()
    clock += 60 * 1000
    expect(await restarted.runOnce()).toBeDefined()
    expect(await restarted.runOnce()).toBeUndefined()
  })

  it('asks on its own timer whether a purge is due', async () => {
    let done!: () => void
    const purged = new Promise<void>((resolve) => (done = resolve))
    const log = pino({ level: 'debug' }, { write: (line: string) => (line.includes('retention purge done') ? done() : undefined) })
    const r = createRetention({ db: database.db, log, retentionDays: 8, checkIntervalMs: 20 })
    opened.push(r)
    await within(purged, 10_000, 'a purge started by the timer')
    expect(await queryRows(database.db, sql`select name from scheduled_runs`)).toEqual([{ name: 'retention' }])
  })
})
