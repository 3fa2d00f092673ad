import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { createInProcessRuntime, type InProcessRuntime } from '../../src/dispatch/index.js'
import { createIngest, type Ingest } from '../../src/ingest/index.js'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

type Json = Record<string, unknown>

/** One delivery of `messages`, as Meta would batch them in one change. */
const delivery = (messages: Json[], statuses: Json[] = []) => Buffer.from(JSON.stringify(webhookWith(messages[0]!, { messages, statuses })))

/**
 * Issue #8, finding 6: one delivery must not starve the others. A large one is committed in
 * chunks, so a delivery arriving meanwhile commits before it finishes; what one delivery can
 * write to the quarantine and to one log line is bounded.
 */
describe.each(ENGINES)('a large delivery (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let runtime: InProcessRuntime
  let ingest: Ingest
  const lines: string[] = []
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
    runtime = createInProcessRuntime({ queues: loadConfig({}).queues, log })
    ingest = createIngest({ db: database.db, dispatcher: runtime, log, debounce: { debounceMs: 0, debounceMaxMs: 0 }, commitTimeoutMs: 30_000, maxRowsPerCommit: 10 })
  })
  afterAll(async () => {
    await ingest.idle()
    await runtime.close()
    await database.close()
    await t.drop()
  })

  const idsOf = (prefix: string) =>
    queryRows<{ id: string; wamid: string }>(database.db, sql`select id, wamid from messages where wamid like ${`${prefix}%`} order by id`)

  it('commits a small delivery that arrives while a large one commits before the large one finishes', async () => {
    const large = delivery(Array.from({ length: 100 }, (_, i) => ({ ...textMessage(`wamid.LARGE${i}`, 'a'), from: `5511900${String(i).padStart(6, '0')}` })))
    const small = delivery([{ ...textMessage('wamid.SMALL', 'oi'), from: '5511999999999' }])
    const settled: string[] = []
    const largeDone = ingest.accept(large).finally(() => settled.push('large'))
    const smallDone = ingest.accept(small).finally(() => settled.push('small'))
    const [l, s] = await Promise.all([largeDone, smallDone])
    expect([l.accepted.length, s.accepted.length]).toEqual([100, 1])
    expect(settled).toEqual(['small', 'large'])
    // Commit order is id order: the small one's row sits between the large one's chunks.
    const largeIds = (await idsOf('wamid.LARGE')).map((r) => Number(r.id))
    const smallId = Number((await idsOf('wamid.SMALL'))[0]!.id)
    expect(smallId).toBeGreaterThan(Math.min(...largeIds))
    expect(smallId).toBeLessThan(Math.max(...largeIds))
  })

  it('commits each message of a chunked delivery once, a repeat in a later chunk as a duplicate', async () => {
    const customer = { from: '5511900000321' }
    const messages = Array.from({ length: 30 }, (_, i) => ({ ...textMessage(`wamid.CH${i}`, 'a'), ...customer }))
    messages.push({ ...textMessage('wamid.CH0', 'a'), ...customer })
    const statuses = Array.from({ length: 5 }, (_, i) => ({ id: `wamid.CHOUT${i}`, status: 'delivered' }))
    const result = await ingest.accept(delivery(messages, statuses))
    expect([result.accepted.length, result.duplicates, result.statuses]).toEqual([30, 1, 5])
    const seqs = await queryRows<{ seq: number }>(database.db, sql`select seq from messages where wamid like 'wamid.CH%' and direction = 'in' order by seq`)
    expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
  })

  it('keeps 100,000 unreadable parts in one quarantine row of the original bytes, and logs one bounded line', async () => {
    const body = webhookWith({ ...textMessage('wamid.BESIDE', 'oi'), from: '5511900000999' })
    ;(body.entry as unknown[]).unshift(...Array.from({ length: 100_000 }, () => ({})))
    const raw = Buffer.from(JSON.stringify(body))
    lines.length = 0

    const result = await ingest.accept(raw)
    expect([result.accepted.length, result.quarantined]).toEqual([1, 1])
    const [q] = await queryRows<{ reason: string; raw: Buffer }>(database.db, sql`select reason, raw from quarantine order by id desc limit 1`)
    expect(Buffer.from(q!.raw).equals(raw)).toBe(true)
    expect(q!.reason).toMatch(/^100000 parts could not be read; the whole signed body is kept here\. First: entry\[0\]: /)
    expect(q!.reason.length).toBeLessThanOrEqual(500)

    const logged = lines.filter((l) => l.includes('webhook parts quarantined'))
    expect(logged).toHaveLength(1)
    expect(logged[0]!.length).toBeLessThan(4_096)
    expect(JSON.parse(logged[0]!)).toMatchObject({ event: 'webhook_quarantined', parts: 100_000, rows: 1, reasons: expect.any(Array) })
    expect(JSON.parse(logged[0]!).reasons.length).toBeLessThanOrEqual(10)
  })

  it('keeps a few unreadable parts as a row each', async () => {
    const body = webhookWith({ ...textMessage('wamid.FEW', 'oi'), from: '5511900000998' })
    ;(body.entry as unknown[]).push({}, { changes: 'no' })
    const result = await ingest.accept(Buffer.from(JSON.stringify(body)))
    expect([result.accepted.length, result.quarantined]).toEqual([1, 2])
  })
})
