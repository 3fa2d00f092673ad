import { setTimeout as delay } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { openDatabase, queryRows, type Database } from '../../src/store/db.js'
import { createTestDatabase, ENGINES, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/db.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

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

/**
 * drizzle's transaction() (0.45) sends `begin` outside the try/finally that releases its
 * client, and releases a client whose rollback failed as healthy; pg's `query_timeout`
 * leaves a timed-out statement the connection's active one. On a one-client pool, one such
 * failure took the pool's only slot for good: the database came back, the process did not.
 */
describe.runIf(ENGINES.includes('postgres'))('a PostgreSQL connection that hangs or is reset under begin', () => {
  const STATEMENT_TIMEOUT_MS = 300
  let t: TestDatabase
  let proxy: TcpProxy
  beforeAll(async () => {
    t = await createTestDatabase('postgres')
    const server = new URL(TEST_POSTGRES_URL)
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port === '' ? 5432 : server.port) })
  })
  afterAll(async () => {
    await proxy?.close()
    await t?.drop()
  })

  async function openThroughProxy(statementTimeoutMs: number): Promise<Database> {
    const url = new URL(t.url!)
    url.hostname = '127.0.0.1'
    url.port = String(proxy.port)
    const database = await openDatabase({ url: url.toString(), dataDir: 'memory://', statementTimeoutMs, poolSize: 1 })
    // Bounded: a pool that lost a client for good would wait for it for ever.
    onTestFinished(() => Promise.race([database.close(), delay(2_000)]))
    // The pool's one client, connected and idle: the next transaction takes it.
    await database.db.transaction(async (tx) => tx.execute(sql`select 1`))
    return database
  }

  const oneTransaction = (database: Database) =>
    database.db.transaction(async (tx) => queryRows<{ v: number }>(tx, sql`select 1 as v`))

  it('gives the slot back when begin times out on a hung connection', async () => {
    const database = await openThroughProxy(STATEMENT_TIMEOUT_MS)
    await proxy.cut('freeze')
    await expect(oneTransaction(database)).rejects.toThrow(/begin/)
    proxy.restore()
    expect(await oneTransaction(database)).toEqual([{ v: 1 }])
    expect(await queryRows<{ v: number }>(database.db, sql`select 1 as v`)).toEqual([{ v: 1 }])
  })

  it('gives the slot back when the connection is reset while begin waits for its answer', async () => {
    // A statement timeout far away: the reset, not a timer, is what fails begin.
    const database = await openThroughProxy(10_000)
    await proxy.cut('freeze')
    const failed = oneTransaction(database).then(() => 'committed', (err: unknown) => err)
    await until(() => proxy.frozenBytes > 0)
    await proxy.cut('refuse')
    expect(await failed).toBeInstanceOf(Error)
    proxy.restore()
    expect(await oneTransaction(database)).toEqual([{ v: 1 }])
  })
})

async function until(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5_000; !check(); await delay(10)) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s')
  }
}
