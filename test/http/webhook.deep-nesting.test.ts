import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { signedPost, useWebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

/** `{"a":{"a":…1…}}`, `levels` objects deep, as JSON text (JSON.stringify would overflow building it). */
const deepObject = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`

/** A webhook around a valid message, with `deep` (JSON text) spliced in where `PLACE` stands. */
function bodyWith(wamid: string, where: 'value' | 'odd-message' | 'unknown-type' | 'status' | 'entry', deep: string): string {
  const PLACE = '"__DEEP__"'
  const valid = textMessage(wamid, 'oi')
  const odd = { from: '5511900000001', id: `${wamid}.odd`, timestamp: '1700000000', extra: '__DEEP__' }
  const unknownType = { from: '5511900000001', id: `${wamid}.new`, timestamp: '1700000000', type: 'hologram', hologram: '__DEEP__' }
  const value: Record<string, unknown> = {
    value: { extra: '__DEEP__' },
    'odd-message': { messages: [valid, odd] },
    'unknown-type': { messages: [valid, unknownType] },
    status: { statuses: [{ id: `${wamid}.out`, status: 'sent', extra: '__DEEP__' }] },
    entry: {},
  }[where] as Record<string, unknown>
  const body = webhookWith(valid, value)
  if (where === 'entry') (body.entry as unknown[]).push({ id: '2', changes: '__DEEP__' })
  return JSON.stringify(body).replace(PLACE, deep)
}

/**
 * Issue #8, finding 2: a part nested thousands of levels deep gave a 500 (the stack
 * overflowed stringifying it for quarantine) and lost the valid message beside it.
 */
describe.each(ENGINES)('webhook with a deeply nested part (%s)', (engine) => {
  const w = useWebhookApp(engine)

  const lastQuarantine = async () =>
    (await queryRows<{ reason: string; raw: Buffer }>(w.database.db, sql`select reason, raw from quarantine order by id desc limit 1`))[0]

  it.each(['value', 'odd-message', 'unknown-type', 'status', 'entry'] as const)(
    'commits the valid message and keeps the original bytes once, for 5,000 levels in %s',
    async (where) => {
      const wamid = `wamid.DEEP.${where}`
      const raw = bodyWith(wamid, where, deepObject(5_000))
      const res = await w.app.inject(signedPost(raw))
      expect(res.statusCode).toBe(200)
      // A message of a type we do not know is a message: kept, with its too-deep part cut.
      expect(res.json()).toMatchObject({ accepted: where === 'unknown-type' ? 2 : 1, quarantined: 1 })
      const q = await lastQuarantine()
      expect(Buffer.from(q!.raw).toString('utf8')).toBe(raw)
      expect(q!.reason).toContain('nested deeper than 64 levels')

      const again = await w.app.inject(signedPost(raw))
      expect(again.json()).toMatchObject({ accepted: 0, duplicates: where === 'unknown-type' ? 2 : 1 })
    },
  )

  it('answers a body nested a million levels deep at once, with the valid message committed', async () => {
    const raw = bodyWith('wamid.DEEP.million', 'value', deepArray(1_000_000))
    const res = await w.app.inject(signedPost(raw))
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ accepted: 1, quarantined: 1 })
    expect(Buffer.from((await lastQuarantine())!.raw).equals(Buffer.from(raw))).toBe(true)
  })

  it('stores a message of a new type with its too-deep part cut, never the whole depth', async () => {
    await w.app.inject(signedPost(bodyWith('wamid.DEEP.cut', 'unknown-type', deepObject(100))))
    const [row] = await queryRows<{ payload: unknown }>(w.database.db, sql`select payload from messages where wamid = 'wamid.DEEP.cut.new'`)
    expect(JSON.stringify(row!.payload)).toContain('[cut: nested deeper than 64 levels]')
  })

  it('still answers 400 to a body whose brackets never close', async () => {
    const res = await w.app.inject(signedPost(`{"object":"whatsapp_business_account","entry":${'['.repeat(100_000)}`))
    expect(res.statusCode).toBe(400)
  })
})
