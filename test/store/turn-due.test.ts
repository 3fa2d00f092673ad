import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'

/**
 * Invariant 4's due time has one source, the SQL function atende_turn_due_at (migration 0004,
 * docs/decisions/0008-turn-due-single-source.md); the inbox commit and atende_complete_turn
 * call it. Here it is held to the rule, on each engine.
 */
describe.each(ENGINES)('atende_turn_due_at (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  async function dueAt(first: number, last: number, debounceMs: number, debounceMaxMs: number): Promise<number> {
    const [r] = await queryRows<{ due: unknown }>(
      database.db,
      sql`select atende_turn_due_at(${new Date(last)}::timestamptz, ${new Date(first)}::timestamptz, ${debounceMs}::int, ${debounceMaxMs}::int) as due`,
    )
    return new Date(r!.due as string | Date).getTime()
  }

  it('waits for the conversation to be quiet for debounceMs', async () => {
    expect(await dueAt(1_000_000, 1_000_500, 1_500, 8_000)).toBe(1_002_000)
  })

  it('never waits longer than debounceMaxMs after the first unanswered message', async () => {
    expect(await dueAt(1_000_000, 1_007_000, 1_500, 8_000)).toBe(1_008_000)
  })

  it('is the earlier of quiet-for-debounceMs and debounceMaxMs-after-the-first, to the millisecond', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 0, max: 1e8 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.integer({ min: 0, max: 1e7 }),
        async (first, gap, debounceMs, extra) => {
          const debounceMaxMs = debounceMs + extra
          const due = await dueAt(first, first + gap, debounceMs, debounceMaxMs)
          expect(due).toBe(Math.min(first + gap + debounceMs, first + debounceMaxMs))
        },
      ),
      { numRuns: 200 },
    )
  })
})
