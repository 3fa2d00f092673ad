import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { afterAll, beforeAll } from 'vitest'
import { openDatabase, type Database, type Db } from '../../src/store/index.js'
import { createTestDatabase, type Engine } from './db.js'

const FOLDER = fileURLToPath(new URL('../../src/store/migrations', import.meta.url))

/** Every migration in the repository, in order. */
export const MIGRATIONS = readMigrationFiles({ migrationsFolder: FOLDER })

/** Where a migration sits in the journal, whatever number it was given: `indexOfMigration('_outbox_kinds')`. */
export function indexOfMigration(tagSuffix: string): number {
  const journal = (JSON.parse(readFileSync(`${FOLDER}/meta/_journal.json`, 'utf8')) as { entries: { tag: string }[] }).entries
  const at = journal.findIndex((e) => e.tag.endsWith(tagSuffix))
  if (at < 0) throw new Error(`no migration named *${tagSuffix} in the journal`)
  return at
}

/**
 * Applies the migrations before `index` to an empty database, recorded as `migrate` records
 * them, so that `migrate` then applies that one and those after: data written by an older
 * version meets the migration as it would in production.
 */
export async function migrateBefore(db: Db, index: number): Promise<void> {
  await db.execute(sql`create table atende_migrations (hash text primary key, created_at bigint not null, applied_at timestamptz not null default now())`)
  for (const m of MIGRATIONS.slice(0, index)) {
    for (const statement of m.sql) if (statement.trim() !== '') await db.execute(sql.raw(statement))
    await db.execute(sql`insert into atende_migrations (hash, created_at) values (${m.hash}, ${m.folderMillis})`)
  }
}

/**
 * For a describe block: a database of its own on `engine` with the migrations before
 * `index` applied (PGlite in memory), closed and dropped after the block.
 */
export function useDatabaseMigratedBefore(engine: Engine, index: number): { readonly database: Database } {
  const state = {} as { database: Database; drop?: () => Promise<void> }
  beforeAll(async () => {
    const t = await createTestDatabase(engine, { empty: true })
    state.drop = t.drop
    state.database = await openDatabase({ url: t.url, dataDir: 'memory://', statementTimeoutMs: 5_000 })
    await migrateBefore(state.database.db, index)
  })
  afterAll(async () => {
    await state.database?.close()
    await state.drop?.()
  })
  return state
}
