import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { inboundMessages, tableCounts } from '../helpers/rows.js'
import { signedPost, useWebhookApp } from '../helpers/webhook-app.js'
import { loadWebhook, textMessage, webhookWith } from '../whatsapp/fixtures.js'

describe.each(ENGINES)('webhook → inbox (%s)', (engine) => {
  const w = useWebhookApp(engine)

  it('commits a text message before answering 200', async () => {
    const res = await w.app.inject(signedPost(webhookWith(textMessage('wamid.ING001', 'Oi, minha internet caiu'))))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: 1, duplicates: 0 })
    const rows = await inboundMessages(w.database)
    expect(rows.find((r) => r.wamid === 'wamid.ING001')).toMatchObject({ type: 'text', text: 'Oi, minha internet caiu' })
  })

  it('stores every message of a POST with 2 entries, several messages and statuses, each once', async () => {
    const body = loadWebhook('batch')
    const res = await w.app.inject(signedPost(body))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: 5, duplicates: 0, statuses: 3 })
    const wamids = (await inboundMessages(w.database)).map((r) => r.wamid)
    for (const id of ['wamid.BATCH0001', 'wamid.BATCH0002', 'wamid.BATCH0003', 'wamid.BATCH0004', 'wamid.BATCH0005']) {
      expect(wamids.filter((x) => x === id)).toHaveLength(1)
    }
  })

  it('inserts nothing new when the same POST is delivered again', async () => {
    const body = loadWebhook('batch')
    const before = await tableCounts(w.database)
    const res = await w.app.inject(signedPost(body))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: 0, duplicates: 5 })
    const after = await tableCounts(w.database)
    // Statuses are events and are kept each time; messages, contacts and conversations are not.
    expect({ ...after, status_events: 0 }).toEqual({ ...before, status_events: 0 })
  })

  it('gives the messages of one conversation consecutive seq numbers in arrival order', async () => {
    const from = { from: '5511900000042' }
    const message = (id: string) => ({ ...textMessage(id, id), ...from })
    const body = webhookWith(message('wamid.SEQ1'), { messages: [message('wamid.SEQ1'), message('wamid.SEQ2'), message('wamid.SEQ3')], contacts: [{ profile: { name: 'X' }, wa_id: '5511900000042' }] })
    expect((await w.app.inject(signedPost(body))).statusCode).toBe(200)
    const rows = (await inboundMessages(w.database)).filter((r) => r.wamid.startsWith('wamid.SEQ'))
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3])
    expect(new Set(rows.map((r) => r.conversation_id)).size).toBe(1)
  })

  it('answers 400 to malformed JSON and stores nothing', async () => {
    const before = await tableCounts(w.database)
    const res = await w.app.inject(signedPost('{"object": "whatsapp_business_account", "entry": ['))
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'ATD_WEBHOOK_MALFORMED_JSON' })
    expect(await tableCounts(w.database)).toEqual(before)
  })

  it('keeps a signed payload of unknown shape in quarantine and answers 200', async () => {
    const before = await tableCounts(w.database)
    const res = await w.app.inject(signedPost({ hello: 'world', entry: 'not-a-list' }))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: 0, quarantined: 1 })
    const after = await tableCounts(w.database)
    expect(after.quarantine).toBe(before.quarantine! + 1)
    const [q] = await queryRows<{ raw: Buffer }>(w.database.db, sql`select raw from quarantine order by id desc limit 1`)
    expect(JSON.parse(Buffer.from(q!.raw).toString('utf8'))).toEqual({ hello: 'world', entry: 'not-a-list' })
  })

  it('stores the good messages of a POST and quarantines the odd one', async () => {
    const odd = { from: '5511900000001', id: 'wamid.ODD', timestamp: '1700000000', type: 'text' }
    const body = webhookWith(textMessage('wamid.GOOD1', 'a'), { messages: [textMessage('wamid.GOOD1', 'a'), odd, textMessage('wamid.GOOD2', 'b')] })
    const res = await w.app.inject(signedPost(body))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: 2, quarantined: 1 })
  })

  it('strips NUL characters instead of failing the insert', async () => {
    const res = await w.app.inject(signedPost(webhookWith(textMessage('wamid.NUL1', 'a\u0000b'))))
    expect(res.statusCode).toBe(200)
    expect((await inboundMessages(w.database)).find((r) => r.wamid === 'wamid.NUL1')?.text).toBe('ab')
  })

  it('answers 413 to a body over 3 MB and stores nothing', async () => {
    const before = await tableCounts(w.database)
    const res = await w.app.inject(signedPost(webhookWith(textMessage('wamid.BIG', 'x'.repeat(3 * 1024 * 1024)))))
    expect(res.statusCode).toBe(413)
    // README: errors are always { code: "ATD_…", message }; Fastify's FST_ERR_… code leaked here.
    expect(res.json()).toMatchObject({ code: 'ATD_BODY_TOO_LARGE' })
    expect(await tableCounts(w.database)).toEqual(before)
  })

  it('answers 415 to a body that is not JSON', async () => {
    const res = await w.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'text/plain' }, payload: 'hi' })
    expect(res.statusCode).toBe(415)
    expect(res.json()).toMatchObject({ code: 'ATD_UNSUPPORTED_MEDIA_TYPE' })
  })

  it('updates outbound messages from statuses and records each status event', async () => {
    const res = await w.app.inject(signedPost(loadWebhook('status-failed')))
    expect(res.statusCode).toBe(200)
    const events = await queryRows<{ wamid: string; status: string; errors: unknown }>(w.database.db, sql`select wamid, status, errors from status_events where wamid = 'wamid.OUT0100'`)
    expect(events).toHaveLength(1)
    expect(events[0]!.status).toBe('failed')
    expect(events[0]!.errors).toBeTruthy()
  })

  it('hands each new message to the dispatcher after the commit', async () => {
    await w.app.inject(signedPost(webhookWith(textMessage('wamid.WAKE1', 'oi'))))
    await w.ingest.idle()
    const [r] = await queryRows<{ enqueued_at: Date | null }>(w.database.db, sql`select enqueued_at from messages where wamid = 'wamid.WAKE1'`)
    expect(r!.enqueued_at).not.toBeNull()
  })
})
