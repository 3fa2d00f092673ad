import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { signedPost, useWebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

/**
 * Issue #8, findings 1 and 8: each part of a delivery succeeds or is quarantined on its own,
 * so a valid message is committed and answered whatever its neighbours hold, on the first
 * delivery and on every redelivery.
 */
describe.each(ENGINES)('webhook with a hostile neighbour (%s)', (engine) => {
  const w = useWebhookApp(engine)

  const stored = (wamid: string) =>
    queryRows<{ wamid: string; text: string | null; enqueued_at: Date | null }>(
      w.database.db,
      sql`select wamid, text, enqueued_at from messages where wamid = ${wamid}`,
    )

  /** Posts `body` twice: the valid message is accepted once, then reported as a duplicate. */
  async function expectMessageKept(body: unknown, wamid: string) {
    const first = await w.app.inject(signedPost(body))
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ accepted: 1, duplicates: 0 })
    const again = await w.app.inject(signedPost(body))
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ accepted: 0, duplicates: 1 })
    expect(await stored(wamid)).toHaveLength(1)
    await w.ingest.idle()
  }

  const status = (over: Record<string, unknown>) => ({ id: 'wamid.OUTX', status: 'failed', timestamp: '1700000000', recipient_id: '5511900000001', ...over })

  it('keeps the message beside a status whose error title holds a lone surrogate', async () => {
    const body = webhookWith(textMessage('wamid.HN1', 'oi'), {
      statuses: [status({ id: 'wamid.OUTHN1', errors: [{ code: 131026, title: 'bad \ud800 title' }] })],
    })
    await expectMessageKept(body, 'wamid.HN1')
    const [event] = await queryRows<{ errors: Array<{ title: string }> }>(w.database.db, sql`select errors from status_events where wamid = 'wamid.OUTHN1' limit 1`)
    expect(event?.errors[0]?.title).toBe('bad \ufffd title')
  })

  it('keeps the message beside a status whose timestamp is past year 9999', async () => {
    const body = webhookWith(textMessage('wamid.HN2', 'oi'), { statuses: [status({ id: 'wamid.OUTHN2', timestamp: '999999999999' })] })
    await expectMessageKept(body, 'wamid.HN2')
  })

  it('keeps the message beside a status whose callback data overflows an outbox id', async () => {
    const body = webhookWith(textMessage('wamid.HN3', 'oi'), {
      statuses: [status({ id: 'wamid.OUTHN3', status: 'sent', biz_opaque_callback_data: 'out:99999999999999999999' })],
    })
    await expectMessageKept(body, 'wamid.HN3')
  })

  it('keeps the message beside a status named like an Object.prototype member', async () => {
    const body = webhookWith(textMessage('wamid.HN4', 'oi'), { statuses: [status({ id: 'wamid.OUTHN4', status: 'constructor' })] })
    await expectMessageKept(body, 'wamid.HN4')
  })

  it('accepts and wakes a message whose id holds a lone surrogate, and knows it again', async () => {
    const body = webhookWith(textMessage('wamid.HN5\ud800', 'oi'))
    await expectMessageKept(body, 'wamid.HN5\ufffd')
    expect((await stored('wamid.HN5\ufffd'))[0]?.enqueued_at).not.toBeNull()
  })

  it('stores text with a lone surrogate as well-formed text', async () => {
    await expectMessageKept(webhookWith(textMessage('wamid.HN6', 'a\udc00b')), 'wamid.HN6')
    expect((await stored('wamid.HN6'))[0]?.text).toBe('a\ufffdb')
  })
})
