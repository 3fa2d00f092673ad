import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

export type Engine = 'pglite' | 'postgres'

export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface BenchDatabase {
  env: Record<string, string>
  drop(): Promise<void>
}

/** A fresh database for one server: a new PostgreSQL database, or a new PGlite directory. */
export async function createBenchDatabase(engine: Engine): Promise<BenchDatabase> {
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'atende-bench-'))
    return { env: { DATA_DIR: join(dir, 'data') }, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `atende_bench_${randomBytes(5).toString('hex')}`
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: BENCH_POSTGRES_URL })
    await c.connect()
    try {
      await c.query(q)
    } finally {
      await c.end()
    }
  }
  await admin(`create database ${name}`)
  const url = new URL(BENCH_POSTGRES_URL)
  url.pathname = `/${name}`
  return { env: { DATABASE_URL: url.toString() }, drop: () => admin(`drop database if exists ${name} with (force)`) }
}
