import { fileURLToPath } from 'node:url'
import { sql } from 'drizzle-orm'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { queryRows, type Db } from './db.js'

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url))
/** Arbitrary constant shared by every Atende process: the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 7_401_245_001

/**
 * Applies the SQL files drizzle-kit generated, each once, in order. The whole run holds a
 * transaction-scoped advisory lock, so processes that start together migrate exactly once:
 * the others wait, then find nothing left to do.
 */
export async function migrate(db: Db): Promise<{ applied: number }> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER })
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`)
    await tx.execute(sql`create table if not exists atende_migrations (
      hash text primary key,
      created_at bigint not null,
      applied_at timestamptz not null default now()
    )`)
    const done = await queryRows<{ hash: string }>(tx, sql`select hash from atende_migrations`)
    const applied = new Set(done.map((r) => r.hash))
    let count = 0
    for (const m of migrations) {
      if (applied.has(m.hash)) continue
      for (const statement of m.sql) {
        if (statement.trim() !== '') await tx.execute(sql.raw(statement))
      }
      await tx.execute(sql`insert into atende_migrations (hash, created_at) values (${m.hash}, ${m.folderMillis})`)
      count++
    }
    return { applied: count }
  })
}
