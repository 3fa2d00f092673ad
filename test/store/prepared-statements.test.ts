import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NOT_PREPARED, openDatabase, queryRows, type Database } from '../../src/store/db.js'
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js'

// PostgreSQL only: PGlite runs in-process and has no per-connection statement cache to fill.
describe.runIf(ENGINES.includes('postgres'))('prepared statements on PostgreSQL', () => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase('postgres')
    // One connection, so every query below runs in the session we inspect.
    database = await openDatabase({ url: t.url, dataDir: 'memory://', statementTimeoutMs: 5_000, poolSize: 1 })
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  const prepared = async () =>
    (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from pg_prepared_statements where name like 'atende_%'`))[0]!.n

  it('prepares a statement once per connection and reuses it with new parameters', async () => {
    const before = await prepared()
    const a = await queryRows<{ v: number }>(database.db, sql`select ${1}::int + 1 as v`)
    const b = await queryRows<{ v: number }>(database.db, sql`select ${41}::int + 1 as v`)
    expect([a[0]!.v, b[0]!.v]).toEqual([2, 42])
    const names = await queryRows<{ statement: string }>(database.db, sql`select statement from pg_prepared_statements where statement like 'select $1::int + 1%'`)
    expect(names).toHaveLength(1)
    expect(await prepared()).toBeGreaterThan(before)
  })

  it('runs a statement marked not prepared unnamed', async () => {
    const rows = await queryRows<{ v: number }>(database.db, sql`${sql.raw(NOT_PREPARED)} select ${7}::int * 6 as v`)
    expect(rows[0]!.v).toBe(42)
    const named = await queryRows(database.db, sql`select name from pg_prepared_statements where statement like '%* 6 as v%' and statement not like '%pg_prepared_statements%'`)
    expect(named).toHaveLength(0)
  })

  it('stops preparing new texts at the cap and still runs them', async () => {
    // 300 distinct texts: more than one connection keeps prepared.
    for (let i = 0; i < 300; i++) {
      const rows = await queryRows<{ v: number }>(database.db, sql.raw(`select ${i} as v`))
      expect(rows[0]!.v).toBe(i)
    }
    expect(await prepared()).toBe(256)
  })
})
