import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loggerOptions } from '../../src/log/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { buildWebhookApp, signedPost, VERIFY_TOKEN, type WebhookApp } from '../helpers/webhook-app.js'
import { loadWebhook } from '../whatsapp/fixtures.js'

type Line = Record<string, unknown>

/**
 * Meta's dashboard says only that a callback "could not be validated", and its deliveries are
 * retried in silence: a forgotten WHATSAPP_VERIFY_TOKEN or a wrong WHATSAPP_APP_SECRET must
 * show in our own log, without the token or the signature.
 */
describe.each(ENGINES)('webhook refusals in the log (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  const lines: Line[] = []
  const apps: WebhookApp[] = []
  const build = async (options: Parameters<typeof buildWebhookApp>[1] = {}) => {
    const log = pino(loggerOptions('info'), { write: (line: string) => void lines.push(JSON.parse(line) as Line) })
    const w = await buildWebhookApp(database, { log, ...options })
    apps.push(w)
    return w
  }

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  beforeEach(() => {
    lines.length = 0
  })
  afterAll(async () => {
    for (const w of apps) await w.close()
    await database?.close()
    await t?.drop()
  })

  it('says the handshake failed because WHATSAPP_VERIFY_TOKEN is not set, in the answer and the log', async () => {
    const w = await build({ verifyToken: undefined })
    const res = await w.app.inject({ url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=anything&hub.challenge=1' })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ code: 'ATD_WEBHOOK_BAD_VERIFY_TOKEN', message: 'WHATSAPP_VERIFY_TOKEN is not set: the verification handshake cannot succeed' })
    expect(lines.filter((l) => l.msg === 'webhook verification refused').map((l) => l.reason)).toEqual(['WHATSAPP_VERIFY_TOKEN is not set'])
  })

  it('says a handshake token did not match, never quoting it', async () => {
    const w = await build()
    const res = await w.app.inject({ url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}x&hub.challenge=1` })
    expect(res.statusCode).toBe(403)
    expect(lines.filter((l) => l.msg === 'webhook verification refused').map((l) => l.reason)).toEqual(['hub.verify_token does not match WHATSAPP_VERIFY_TOKEN'])
    expect(JSON.stringify(lines)).not.toContain(VERIFY_TOKEN)
  })

  it('says a delivery was refused for its signature, never quoting it', async () => {
    const w = await build()
    const forged = signedPost(JSON.stringify(loadWebhook('text')), 'wrong-secret')
    expect((await w.app.inject(forged)).statusCode).toBe(401)
    const unsigned = { ...forged, headers: { 'content-type': 'application/json' } }
    expect((await w.app.inject(unsigned)).statusCode).toBe(401)
    expect(lines.filter((l) => l.msg === 'webhook delivery refused').map((l) => l.reason)).toEqual([
      'X-Hub-Signature-256 does not match WHATSAPP_APP_SECRET',
      'no X-Hub-Signature-256 header',
    ])
    expect(JSON.stringify(lines)).not.toContain(forged.headers['x-hub-signature-256'])
  })
})
