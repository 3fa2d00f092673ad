import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loggerOptions } from '../../src/log/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

type Line = Record<string, unknown>

describe.each(ENGINES)("admin API: the agents' actions in the log (%s)", (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  const lines: Line[] = []

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    // The production logger's options: its redaction is what an operator reads.
    const log = pino(loggerOptions('info'), { write: (line: string) => void lines.push(JSON.parse(line) as Line) })
    w = await buildWebhookApp(database, { log })
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  it('says which status an action moved the conversation from and to, unredacted', async () => {
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.AGTLOG1', 'oi'))))).statusCode).toBe(200)
    const list = await w.app.inject({ url: '/api/conversations', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    const id = (list.json() as { items: Array<{ id: number }> }).items[0]!.id
    const res = await w.app.inject({ method: 'POST', url: `/api/conversations/${id}/handoff`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(res.statusCode).toBe(200)
    expect(lines.filter((l) => l.msg === 'agent action')).toEqual([
      expect.objectContaining({ conversationId: id, action: 'handoff', fromStatus: 'open', toStatus: 'handoff' }),
    ])
  })
})
