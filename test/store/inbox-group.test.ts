import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commitInboxGroup, queryRows, type Database, type InboundRow, type InboxBatch } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'

const debounce = { debounceMs: 0, debounceMaxMs: 0 }
let counter = 0

function row(customer: string, wamid = `wamid.G${++counter}`, over: Partial<InboundRow> = {}): InboundRow {
  return {
    phoneNumberId: '1000000001',
    customerKey: `wa:${customer}`,
    waId: customer,
    userId: undefined,
    profileName: undefined,
    wamid,
    type: 'text',
    text: 'oi',
    media: undefined,
    payload: undefined,
    sentAt: new Date(),
    ...over,
  }
}

const batch = (...messages: InboundRow[]): InboxBatch => ({ messages, statuses: [], quarantine: [] })

describe.each(ENGINES)('group commit of the inbox (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterAll(async () => {
    await database.close()
    await t.drop()
  })

  const seqsOf = (customer: string) =>
    queryRows<{ seq: number; wamid: string }>(
      database.db,
      sql`select m.seq, m.wamid from messages m join conversations c on c.id = m.conversation_id join contacts k on k.id = c.contact_id
          where k.customer_key = ${`wa:${customer}`} and m.direction = 'in' order by m.seq`,
    )

  it('commits several requests in one go, each getting its own result', async () => {
    const outcomes = await commitInboxGroup(database.db, [batch(row('551100000001'), row('551100000002')), batch(row('551100000001'))], new Date(), debounce)
    expect(outcomes.map((o) => o.ok && o.result.accepted.length)).toEqual([2, 1])
    expect((await seqsOf('551100000001')).map((r) => r.seq)).toEqual([1, 2])
  })

  it('stores a wamid repeated across the requests of one group once', async () => {
    const outcomes = await commitInboxGroup(database.db, [batch(row('551100000003', 'wamid.DUPG')), batch(row('551100000003', 'wamid.DUPG'))], new Date(), debounce)
    expect(outcomes.map((o) => o.ok && [o.result.accepted.length, o.result.duplicates])).toEqual([[1, 0], [0, 1]])
  })

  it('falls back to row by row when the database refuses a row, and keeps the others', async () => {
    const bad = row('551100000004', 'wamid.BADROW', { sentAt: new Date(Number.NaN) })
    const outcomes = await commitInboxGroup(database.db, [batch(row('551100000004', 'wamid.OKROW1'), bad), batch(row('551100000005', 'wamid.OKROW2'))], new Date(), debounce)
    expect(outcomes.every((o) => o.ok)).toBe(true)
    expect(outcomes.map((o) => o.ok && [o.result.accepted.length, o.result.quarantined])).toEqual([[1, 1], [1, 0]])
    const stored = await queryRows<{ wamid: string }>(database.db, sql`select wamid from messages where wamid in ('wamid.OKROW1', 'wamid.OKROW2', 'wamid.BADROW')`)
    expect(stored.map((r) => r.wamid).sort()).toEqual(['wamid.OKROW1', 'wamid.OKROW2'])
  })

  it('gives every conversation gap-free seqs, each wamid once, whatever the grouping and repeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 5 })), { maxLength: 6 }), { minLength: 1, maxLength: 5 }),
        async (requests) => {
          const run = ++counter
          const customers = [0, 1, 2].map((c) => `55119${run}${c}`)
          const batches = requests.map((msgs) => batch(...msgs.map(([c, m]) => row(customers[c]!, `wamid.P${run}.${c}.${m}`))))
          const outcomes = await commitInboxGroup(database.db, batches, new Date(), debounce)
          const unique = new Set(requests.flat().map(([c, m]) => `${c}.${m}`))
          const accepted = outcomes.reduce((n, o) => n + (o.ok ? o.result.accepted.length : 0), 0)
          if (accepted !== unique.size) return false
          for (const customer of customers) {
            const seqs = (await seqsOf(customer)).map((r) => r.seq)
            if (seqs.some((s, i) => s !== i + 1)) return false
          }
          return true
        },
      ),
      { numRuns: 25 },
    )
  })
})
