import { setTimeout as delay } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, queryRows, type Database } from '../../src/store/db.js'
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/db.js'

// PostgreSQL only: PGlite runs in-process, there is no server to drop the connection.
describe.runIf(ENGINES.includes('postgres'))('a PostgreSQL connection lost mid-transaction', () => {
  let t: TestDatabase
  let database: Database
  let admin: pg.Client
  beforeAll(async () => {
    t = await createTestDatabase('postgres')
    database = await openDatabase({ url: t.url, dataDir: 'memory://', statementTimeoutMs: 10_000 })
    await database.db.execute(sql`create table held (id int)`)
    admin = new pg.Client({ connectionString: t.url })
    await admin.connect()
  })
  afterAll(async () => {
    await admin?.end()
    await database?.close()
    await t?.drop()
  })

  /** The pids of backends of this database waiting on a lock, once there is one. */
  async function waiting(): Promise<number[]> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await delay(20)) {
      // pg_stat_activity is read once per transaction unless the snapshot is cleared.
      await admin.query('select pg_stat_clear_snapshot()')
      const { rows } = await admin.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      )
      if (rows.length > 0) return rows.map((r) => r.pid)
    }
    throw new Error('no backend waited on the lock')
  }

  it('fails that transaction only; the process and the pool carry on', async () => {
    await admin.query('begin')
    await admin.query('lock table held in exclusive mode')
    // A transaction holds its client out of the pool: the pool's own error listener is off it.
    const tx = database.db.transaction(async (t) => {
      await t.execute(sql`insert into held values (1)`)
    })
    const outcome = tx.then(() => 'committed', (err: unknown) => err)
    for (const pid of await waiting()) await admin.query('select pg_terminate_backend($1)', [pid])
    await admin.query('rollback')

    expect(await outcome).toBeInstanceOf(Error)
    // An 'error' event nobody listens to would have crashed the process before this line.
    expect(await queryRows<{ v: number }>(database.db, sql`select 1 as v`)).toEqual([{ v: 1 }])
  })
})
