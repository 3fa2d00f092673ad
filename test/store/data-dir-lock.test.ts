import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/db.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'
import { runAtende } from '../helpers/atende-process.js'

/**
 * PGlite has no lock of its own: a second process opening the same DATA_DIR (`npm start`
 * twice, `atende privacy` beside `serve`) opened it too, and two writers corrupt it.
 */
describe('the PGlite directory lock', () => {
  let t: TestDatabase
  /** A process that outlives the tests, standing for a running `atende serve`. */
  let holder: ReturnType<typeof spawn>
  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    await once(holder, 'spawn')
  })
  afterAll(async () => {
    holder?.kill('SIGKILL')
    await t?.drop()
  })

  const lockFile = () => join(t.dataDir, 'atende.lock')
  const open = () => openDatabase({ dataDir: t.dataDir, statementTimeoutMs: 5_000 })

  it('holds the directory while open and lets it go on close', async () => {
    const database = await open()
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid))
    await database.close()
    expect(existsSync(lockFile())).toBe(false)
  })

  it('refuses a directory another running process holds, naming it and the way out', async () => {
    writeFileSync(lockFile(), String(holder.pid))
    await expect(open()).rejects.toMatchObject({
      code: 'ATD_DATA_DIR_LOCKED',
      message: expect.stringContaining(`is open in process ${holder.pid}: only one process can open a PGlite directory`),
    })
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(holder.pid))
  })

  it('takes over the lock of a process that is gone', async () => {
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await once(gone, 'exit')
    writeFileSync(lockFile(), String(gone.pid))
    const database = await open()
    expect(readFileSync(lockFile(), 'utf8')).toBe(String(process.pid))
    await database.close()
  })

  it('stops the command line with that one message, exit 1, no stack', async () => {
    writeFileSync(lockFile(), String(holder.pid))
    const r = await runAtende(['migrate'], { DATA_DIR: t.dataDir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^atende: DATA_DIR .* is open in process \d+: only one process can open a PGlite directory/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }, 120_000)
})
