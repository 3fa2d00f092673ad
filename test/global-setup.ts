import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../src/store/db.js'
import { migrate } from '../src/store/migrate.js'
import { ENGINES, TEST_POSTGRES_URL } from './helpers/db.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory; tests copy it instead of running initdb (~5 s) each time. */
    pgliteTemplate: string
    /** A migrated PostgreSQL database on TEST_POSTGRES_URL that tests clone (`create database … template`). */
    postgresTemplate: string
  }
}

/**
 * Builds one migrated PGlite directory per set of migrations. Opening a copy takes well
 * under a second, where creating a PGlite database from nothing takes several.
 */
export default async function setup(project: TestProject): Promise<void> {
  const migrations = new URL('../src/store/migrations/', import.meta.url)
  const hash = createHash('sha256')
  for (const f of readdirSync(migrations).filter((f) => f.endsWith('.sql')).sort()) hash.update(readFileSync(new URL(f, migrations)))
  const version = hash.digest('hex').slice(0, 12)
  const dir = join(tmpdir(), `atende-pglite-template-${version}`)
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    const building = `${dir}.building-${process.pid}`
    rmSync(building, { recursive: true, force: true })
    mkdirSync(building, { recursive: true })
    const database = await openDatabase({ dataDir: building, statementTimeoutMs: 10_000 })
    await migrate(database.db)
    await database.close()
    rmSync(dir, { recursive: true, force: true })
    cpSync(building, dir, { recursive: true })
    rmSync(building, { recursive: true, force: true })
  }
  project.provide('pgliteTemplate', dir)
  project.provide('postgresTemplate', ENGINES.includes('postgres') ? await postgresTemplate(version) : '')
}

/**
 * The PostgreSQL twin of the PGlite template: one migrated database per set of migrations,
 * which each test database clones instead of running every migration again. It is built
 * under a name of its own and renamed when complete, so a clone never starts from a
 * half-migrated template, and nothing connects to it afterwards (cloning needs that).
 */
async function postgresTemplate(version: string): Promise<string> {
  const name = `atende_template_${version}`
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name])
    if (exists.rowCount === 1) return name
    const building = `${name}_b${process.pid}`
    await admin.query(`drop database if exists ${building}`)
    await admin.query(`create database ${building}`)
    const url = new URL(TEST_POSTGRES_URL)
    url.pathname = `/${building}`
    const database = await openDatabase({ url: url.toString(), dataDir: 'memory://', statementTimeoutMs: 10_000 })
    try {
      await migrate(database.db)
    } finally {
      await database.close()
    }
    // Another run may have renamed its own copy first: then use that one and drop ours.
    await admin.query(`alter database ${building} rename to ${name}`).catch(async (err: unknown) => {
      await admin.query(`drop database if exists ${building}`)
      if ((await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount !== 1) throw err
    })
    return name
  } finally {
    await admin.end()
  }
}
