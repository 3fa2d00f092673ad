import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import { DrizzleQueryError, type SQL } from 'drizzle-orm'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { DataDirLockedError, DatabaseUnreachableError } from '../errors.js'
import * as schema from './schema.js'

export type Schema = typeof schema
/** The one database type the code sees, whichever engine is under it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

export interface Database {
  db: Db
  engine: 'pglite' | 'postgres'
  /** Cheap liveness probe for /readyz; rejects when the database cannot answer. */
  ping(signal?: AbortSignal): Promise<void>
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when unset PGlite runs embedded in `dataDir`. */
  url?: string | undefined
  /** PGlite directory, or `memory://` for a throw-away database. */
  dataDir: string
  /** PostgreSQL `statement_timeout` and client query timeout. */
  statementTimeoutMs: number
  /** PostgreSQL pool size. @defaultValue 10 */
  poolSize?: number
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  return options.url === undefined ? openPglite(options.dataDir) : openPostgres(options)
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://')
  if (!inMemory) mkdirSync(dataDir, { recursive: true })
  const unlock = inMemory ? () => {} : lockDataDir(dataDir)
  let client: PGlite
  try {
    client = await PGlite.create(dataDir)
  } catch (err) {
    unlock()
    throw err
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db
  return {
    db,
    engine: 'pglite',
    ping: async () => {
      await client.query('select 1')
    },
    close: once(async () => {
      try {
        await client.close()
      } finally {
        unlock()
      }
    }),
  }
}

/** Holds the process id of the one process that has the PGlite directory open. */
const LOCK_FILE = 'atende.lock'

/**
 * PGlite has no postmaster lock: a second process opening the same directory (`atende serve`
 * twice, or `atende privacy` beside it) would open it too, and the two would corrupt it. The
 * lock names the holder's process id; one whose process is gone (a crash, a container
 * restarted as the same pid) is taken over. Answers the release.
 */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, LOCK_FILE)
  const mine = String(process.pid)
  for (let tries = 0; ; tries++) {
    try {
      writeFileSync(path, mine, { flag: 'wx' })
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 0) throw err
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10)
      if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
        throw new DataDirLockedError(
          `DATA_DIR ${resolve(dataDir)} is open in process ${holder}: only one process can open a PGlite directory. ` +
            'Stop that process, use its HTTP API, or set DATABASE_URL (PostgreSQL) to run several processes; ' +
            `if process ${holder} is not Atende, delete ${resolve(path)}`,
        )
      }
      unlinkSync(path)
    }
  }
  return () => {
    try {
      if (readFileSync(path, 'utf8') === mine) unlinkSync(path)
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * A statement opts out of preparation by starting with this comment: one whose plan must
 * follow the table's size. A prepared statement settles on a generic plan after five runs and
 * keeps it; planned while the table was small, it can scan the whole table for ever after.
 */
export const NOT_PREPARED = '/* not prepared */'

/** Distinct statements one connection keeps prepared; texts beyond it run unprepared. */
const PREPARED_PER_CONNECTION = 256

/**
 * A pg client that prepares each statement it runs once per connection, under a name
 * derived from its text. drizzle sends every statement unnamed, so PostgreSQL would parse
 * and plan each one afresh: under load that was a fifth of the server's CPU. Texts that vary
 * with their input (an `in (…)` list) would grow the set without end, hence the cap.
 */
class PreparingClient extends pg.Client {
  readonly #names = new Map<string, string>()
  #release: ((err?: Error | boolean) => void) | undefined

  constructor(config?: string | pg.ClientConfig) {
    super(config)
    // A connection that ends while the client is checked out gives the client back, broken,
    // so the pool drops it: drizzle's transaction() (0.45) runs `begin` outside its
    // try/finally, so a `begin` that failed on a dead or hung connection held its pool slot
    // for good. One such failure per slot, in a database outage, and every statement of the
    // process waited for a client in vain, the database back or not.
    this.on('end', () => this.#release?.(new Error('the database connection ended while checked out')))
  }

  /**
   * The pool sets `release` at each checkout. Calling it more than once is a no-op here, not
   * pg-pool's error: the connection's end may give the client back before its user does.
   */
  get release(): (err?: Error | boolean) => void {
    return this.#release ?? (() => {})
  }

  set release(fn: ((err?: Error | boolean) => void) | undefined) {
    let released = false
    this.#release = fn === undefined ? undefined : (err) => {
      if (released) return
      released = true
      fn(err)
    }
  }

  /**
   * pg's `query_timeout` answers a statement late but leaves it the connection's active one:
   * every later statement of the client queues behind an answer that a hung connection never
   * brings. Such a connection is of no more use; ending it makes the pool drop the client.
   */
  #endIfHung(err: unknown): void {
    if (err instanceof Error && err.message === 'Query read timeout') {
      ;(this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
    }
  }

  #nameOf(text: string): string | undefined {
    let name = this.#names.get(text)
    if (name === undefined && this.#names.size < PREPARED_PER_CONNECTION) {
      name = `atende_${createHash('sha1').update(text).digest('base64url')}`
      this.#names.set(text, name)
    }
    return name
  }

  static {
    const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown
    // One override for all of query()'s overloads; only a plain config object gets a name.
    PreparingClient.prototype.query = function (this: PreparingClient, config: unknown, ...rest: unknown[]) {
      if (typeof config === 'object' && config !== null && !('submit' in config) && !('name' in config && config.name !== undefined)) {
        const text = (config as { text?: unknown }).text
        const name = typeof text === 'string' && !text.startsWith(NOT_PREPARED) ? this.#nameOf(text) : undefined
        if (name !== undefined) config = { ...config, name }
      }
      const callback = rest.at(-1)
      if (typeof callback === 'function') {
        rest[rest.length - 1] = (err: unknown, ...results: unknown[]) => {
          if (err !== null && err !== undefined) this.#endIfHung(err)
          return (callback as (...args: unknown[]) => unknown)(err, ...results)
        }
        return query.call(this, config, ...rest)
      }
      const result = query.call(this, config, ...rest)
      if (!(result instanceof Promise)) return result
      return result.catch((err: unknown) => {
        this.#endIfHung(err)
        throw err
      })
    } as pg.Client['query']
  }
}

async function openPostgres(options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: options.url,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
  })
  // An idle client's socket error must not crash the process; the next query reports it.
  pool.on('error', () => {})
  // A client checked out for a transaction has no pool listener: a backend terminated under
  // it (failover, pg_terminate_backend) would emit 'error' to nobody and crash the process.
  // Its query in flight rejects with the same error, and the pool drops the dead client.
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = drizzlePg(pool, { schema }) as unknown as Db
  return {
    db,
    engine: 'postgres',
    ping: async () => {
      await pool.query('select 1')
    },
    close: once(() => pool.end()),
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined
  return () => (p ??= fn())
}

/**
 * Runs raw SQL and returns its rows. Both drivers answer `{ rows }`; drizzle's shared type
 * cannot say so, hence the one cast here.
 */
export async function queryRows<T>(db: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] }
  return result.rows
}

/**
 * SQLSTATE classes that mean "not this row": data exception (22: a value out of range, bad
 * JSON), integrity constraint (23) and program limit (54: an index row too large, nesting
 * too deep). Everything else (a connection lost, a statement cancelled by the timeout, no
 * memory) is the database's state, and the same row may well pass on Meta's redelivery.
 */
const REFUSED_FOR_CONTENT = new Set(['22', '23', '54'])

/**
 * Whether a failed statement was refused for the values it carried, so quarantining that
 * row and going on is right; or failed for a reason that would fail any row, so the whole
 * request must fail and be redelivered. An error that never reached the driver (our own
 * check, e.g. an invalid date) is the row's too.
 */
export function isRefusedForContent(err: unknown): boolean {
  const state = sqlStateOf(err)
  if (state !== undefined) return REFUSED_FOR_CONTENT.has(state.slice(0, 2))
  return !(err instanceof DrizzleQueryError)
}

/**
 * The SQLSTATE of a database error. drizzle wraps the driver's error as `cause`; the two
 * drivers throw different classes (pg's DatabaseError, PGlite's own), both with `code`.
 */
export function sqlStateOf(err: unknown): string | undefined {
  let e: unknown = err
  for (let depth = 0; depth < 4 && e instanceof Error; depth++, e = e.cause) {
    const code = (e as Error & { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

/** Node's codes for a server that cannot be reached, and PostgreSQL's classes for a refused login or database. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'])

/**
 * The failure to open or first use a PostgreSQL database (a wrong DATABASE_URL, a server that
 * cannot be reached, a database not created, a refused login) as one line naming
 * DATABASE_URL, without its user or password; undefined for any other failure.
 */
export function unreachableDatabase(err: unknown, url: string): DatabaseUnreachableError | undefined {
  for (let e: unknown = err, depth = 0; depth < 5 && e instanceof Error; depth++, e = e.cause) {
    const code = (e as Error & { code?: unknown }).code
    const refused = typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^(28|3D)[0-9A-Z]{3}$/.test(code))
    // pg's pool says only this when connectionTimeoutMillis passes.
    if (refused || /connection timeout|timeout expired/i.test(e.message)) {
      const u = new URL(url)
      // Host, port and database only: the URL's user and password stay out of the message.
      return new DatabaseUnreachableError(`cannot open the database of DATABASE_URL (${u.host}${u.pathname}): ${e.message}`, { cause: err })
    }
  }
  return undefined
}
