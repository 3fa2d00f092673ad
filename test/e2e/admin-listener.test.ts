import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAtende, type AtendeProcess } from '../helpers/atende-process.js'
import { createTestDatabase, type TestDatabase } from '../helpers/db.js'
import { freePort } from '../helpers/redis.js'

/** Short on purpose: development accepts it with a warning. */
const ADMIN_TOKEN = 'dev-admin-token'
const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

describe('atende serve with ADMIN_PORT: two real listeners on 127.0.0.1', () => {
  let t: TestDatabase
  let atende: AtendeProcess
  let admin: string

  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    const adminPort = await freePort()
    admin = `http://127.0.0.1:${adminPort}`
    atende = await startAtende({ DATA_DIR: t.dataDir, ADMIN_TOKEN, ADMIN_PORT: String(adminPort), ADMIN_HOST: '127.0.0.1' })
  })
  afterAll(async () => {
    await atende.stop()
    await t.drop()
  })

  it('serves the admin API on ADMIN_PORT and answers 404 for /api/* on PORT', async () => {
    const onAdmin = await fetch(`${admin}/api/conversations`, { headers: auth })
    expect(onAdmin.status).toBe(200)
    expect(await onAdmin.json()).toEqual({ items: [], nextCursor: null })
    const onPublic = await fetch(`${atende.url}/api/conversations`, { headers: auth })
    expect(onPublic.status).toBe(404)
    await onPublic.body?.cancel()
  })

  it('answers health checks on both listeners', async () => {
    for (const base of [atende.url, admin]) {
      const res = await fetch(`${base}/healthz`)
      expect(res.status, base).toBe(200)
      await res.body?.cancel()
    }
  })

  it('warns at start that the admin token is short', async () => {
    const line = await atende.waitForLog((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.includes('ADMIN_TOKEN'))
    expect(JSON.stringify(line)).not.toContain(ADMIN_TOKEN)
  })

  it('closes both listeners on SIGTERM and exits 0', async () => {
    expect(await atende.stop()).toBe(0)
    for (const base of [atende.url, admin]) await expect(fetch(`${base}/healthz`)).rejects.toThrow()
  })
})
