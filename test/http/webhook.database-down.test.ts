import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/store/index.js'
import { createTestDatabase } from '../helpers/db.js'
import { buildWebhookApp, signedPost } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('webhook when the database cannot commit', () => {
  it('answers 503 within the statement timeout when PostgreSQL hangs', async () => {
    // A server that accepts connections and never answers: a hung database, not a refused one.
    const sockets = new Set<Socket>()
    const hung = createServer((s) => sockets.add(s)).listen(0, '127.0.0.1')
    await once(hung, 'listening')
    cleanups.push(async () => {
      for (const s of sockets) s.destroy()
      hung.close()
    })
    const port = (hung.address() as { port: number }).port
    const database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/test`, dataDir: 'memory://', statementTimeoutMs: 300 })
    cleanups.push(() => database.close())
    const w = await buildWebhookApp(database, { commitTimeoutMs: 300 })
    cleanups.push(() => w.close())

    const res = await w.app.inject(signedPost(webhookWith(textMessage('wamid.DOWN1', 'oi'))))
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ code: 'ATD_DATABASE_UNAVAILABLE' })
  })

  it('answers 503 when PostgreSQL refuses connections', async () => {
    const database = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/test', dataDir: 'memory://', statementTimeoutMs: 300 })
    cleanups.push(() => database.close())
    const w = await buildWebhookApp(database, { commitTimeoutMs: 300 })
    cleanups.push(() => w.close())
    const res = await w.app.inject(signedPost(webhookWith(textMessage('wamid.DOWN2', 'oi'))))
    expect(res.statusCode).toBe(503)
    const ready = await w.app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(503)
  })

  it('answers 503 when the embedded database is closed', async () => {
    const t = await createTestDatabase('pglite')
    cleanups.push(() => t.drop())
    const database = await openDatabase({ dataDir: t.dataDir, statementTimeoutMs: 300 })
    const w = await buildWebhookApp(database, { commitTimeoutMs: 300 })
    cleanups.push(() => w.close())
    await database.close()
    const res = await w.app.inject(signedPost(webhookWith(textMessage('wamid.DOWN3', 'oi'))))
    expect(res.statusCode).toBe(503)
  })
})
