import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'
import { dashboardDeps, login, type LoggedIn } from './dashboard-helpers.js'

/** Reads server-sent events until one of `event` arrives; its data, parsed. */
async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>, event: string): Promise<unknown> {
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) throw new Error(`stream ended before a '${event}' event`)
    buffer += decoder.decode(value, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const lines = block.split('\n')
      if (lines.includes(`event: ${event}`)) return JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6))
    }
  }
}

describe.each(ENGINES)('dashboard live updates (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let url: string
  let admin: LoggedIn

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    await w.app.listen({ port: 0, host: '127.0.0.1' })
    url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`
    admin = await login(w.app, ADMIN_TOKEN)
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it('streams the id of a conversation when a message arrives, read from the database', async () => {
    const res = await fetch(`${url}/admin/api/events`, { headers: { cookie: admin.cookie, accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = res.body!.getReader()
    try {
      // The stream is open once its first bytes arrived; only then is the change made.
      await reader.read()
      expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.SSE1', 'oi'))))).statusCode).toBe(200)
      const data = (await nextEvent(reader, 'change')) as { conversations: number[] }
      const list = await w.app.inject({ url: '/admin/api/conversations', headers: { cookie: admin.cookie, accept: 'application/json' } })
      expect(data.conversations).toEqual([list.json().items[0].id])
      // Ids only: nothing a customer wrote travels on the stream.
      expect(JSON.stringify(data)).not.toContain('oi')
    } finally {
      await reader.cancel()
    }
  })

  it('refuses the stream without a session', async () => {
    const res = await fetch(`${url}/admin/api/events`, { headers: { accept: 'text/event-stream' }, redirect: 'manual' })
    expect(res.status).toBe(401)
  })

  it('closing the app ends open streams instead of waiting for them', async () => {
    const other = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    await other.app.listen({ port: 0, host: '127.0.0.1' })
    const s = await login(other.app, ADMIN_TOKEN)
    const res = await fetch(`http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}/admin/api/events`, { headers: { cookie: s.cookie, accept: 'text/event-stream' } })
    const reader = res.body!.getReader()
    await reader.read()
    await other.close()
    await expect(reader.read()).resolves.toMatchObject({ done: true })
  })
})
