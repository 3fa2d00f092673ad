import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import pg from 'pg'
import { openDatabase, type Database } from '../../src/store/db.js'
import { migrate } from '../../src/store/migrate.js'

export type Engine = 'pglite' | 'postgres'

/** The PostgreSQL server tests create their throw-away databases on (CI runs one at 127.0.0.1:5432). */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Both engines by default, so each stays proven; `TEST_ENGINES=pglite` narrows a local run. */
export const ENGINES: Engine[] = (process.env.TEST_ENGINES ?? 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is Engine => s === 'pglite' || s === 'postgres')

export interface TestDatabase {
  engine: Engine
  /** `DATABASE_URL` for the app under test; undefined means PGlite. */
  url: string | undefined
  /** `DATA_DIR` for PGlite: a private copy of the migrated template. */
  dataDir: string
  drop(): Promise<void>
}

/**
 * A fresh, migrated database: a private copy of the migrated PGlite template, or a new
 * PostgreSQL database cloned from the migrated PostgreSQL template (test/global-setup.ts).
 * With `empty`, one no migration has run on, for tests of the migrations themselves.
 */
export async function createTestDatabase(engine: Engine, options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const empty = options.empty === true
  if (engine === 'pglite') {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'atende-pglite-')), 'data')
    if (!empty) cpSync(inject('pgliteTemplate'), dataDir, { recursive: true })
    return { engine, url: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) }
  }
  const name = `atende_t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  try {
    await admin.query(empty ? `create database ${name}` : `create database ${name} template ${inject('postgresTemplate')}`)
  } finally {
    await admin.end()
  }
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    engine,
    url: url.toString(),
    dataDir: 'memory://',
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await c.connect()
      try {
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}

/** A migrated database opened directly (for store-level tests). */
export async function openMigrated(t: TestDatabase): Promise<Database> {
  const database = await openDatabase({ url: t.url, dataDir: t.dataDir, statementTimeoutMs: 5_000 })
  await migrate(database.db)
  return database
}
