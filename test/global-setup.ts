import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../src/store/db.js'
import { migrate } from '../src/store/migrate.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data directory; tests copy it instead of running initdb (~5 s) each time. */
    pgliteTemplate: string
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
  const dir = join(tmpdir(), `atende-pglite-template-${hash.digest('hex').slice(0, 12)}`)
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
}
