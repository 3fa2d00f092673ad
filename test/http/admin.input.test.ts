import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { tableCounts } from '../helpers/rows.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const SQLISH = "' or 1=1 --"
const b64 = (s: string) => Buffer.from(s).toString('base64url')
const q = encodeURIComponent

describe.each(ENGINES)('admin API: hostile input (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let before: Record<string, number>

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.HOST1', 'oi')))))).toMatchObject({ statusCode: 200 })
    await w.ingest.idle()
    before = await tableCounts(database)
  })
  afterAll(async () => {
    // Nothing any hostile request sent reached a write.
    expect(await tableCounts(database)).toEqual(before)
    await w.close()
    await database.close()
    await t.drop()
  })

  it.each([
    ['limit=0', '?limit=0'],
    ['limit=1000', '?limit=1000'],
    ['limit=abc', '?limit=abc'],
    ['limit=-5', '?limit=-5'],
    ['limit=2.5', '?limit=2.5'],
    ['status=bogus', '?status=bogus'],
    ['a status in upper case', '?status=OPEN'],
    ['an SQL-ish status', `?status=${q(SQLISH)}`],
    ['two statuses', '?status=open&status=closed'],
    ['an unknown query parameter', '?statuses=open'],
    ['an unknown parameter next to good ones', '?limit=5&order=id'],
    ['cursor=garbage', '?cursor=garbage'],
    ['a cursor with characters outside base64url', `?cursor=${q('MQ==')}`],
    ['a cursor of zero', `?cursor=${b64('0')}`],
    ['a cursor of a negative id', `?cursor=${b64('-1')}`],
    ['a cursor with a leading zero', `?cursor=${b64('01')}`],
    ['a cursor of an SQL-ish string', `?cursor=${b64('1 or 1=1')}`],
    ['a cursor beyond the safe integers', `?cursor=${b64('9999999999999999')}`],
    ['a very long cursor', `?cursor=${'A'.repeat(200)}`],
    ['a very long contact', `?contact=${'5'.repeat(300)}`],
    ['a department over 64 characters', `?department=${'d'.repeat(65)}`],
    ['an empty contact', '?contact='],
    ['a contact with a NUL character', `?contact=${q('5511900000001\u0000')}`],
    ['a department with a newline', `?department=${q('suporte\n')}`],
  ])('rejects %s on the listing with 400', async (_name, query) => {
    const res = await w.app.inject({ url: `/api/conversations${query}`, headers: auth })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
  })

  it('names what was wrong in the message', async () => {
    const res = await w.app.inject({ url: '/api/conversations?limit=1000', headers: auth })
    expect(res.json().message).toBe('querystring/limit must be <= 100')
    const unknown = await w.app.inject({ url: '/api/conversations?statuses=open', headers: auth })
    expect(unknown.json().message).toBe('query parameter "statuses" is not supported; expected one of: contact, status, department, limit, cursor')
    const cursor = await w.app.inject({ url: '/api/conversations?cursor=garbage', headers: auth })
    expect(cursor.json().message).toMatch(/^cursor is not one this API returned/)
  })

  it.each([
    ['id=-1', '-1'],
    ['id=0', '0'],
    ['id=abc', 'abc'],
    ['id=1.5', '1.5'],
    ['id=99999999999999999999', '99999999999999999999'],
    ['an SQL-ish id', q('1 or 1=1')],
    ['an SQL-ish quote', q(SQLISH)],
  ])('rejects %s on the detail with 400', async (_name, id) => {
    const res = await w.app.inject({ url: `/api/conversations/${id}`, headers: auth })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
  })

  it('answers a 4xx to an id far too long for a route parameter', async () => {
    const res = await w.app.inject({ url: `/api/conversations/${'9'.repeat(5_000)}`, headers: auth })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
  })

  it.each([
    ['contact', SQLISH],
    ['contact', "x'; drop table messages; --"],
    ['department', SQLISH],
    ['contact', '%'],
  ])('treats %s=%j as a plain value that matches nothing', async (name, value) => {
    const res = await w.app.inject({ url: `/api/conversations?${name}=${q(value)}`, headers: auth })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ items: [], nextCursor: null })
  })

  it('still lists normally after all of that', async () => {
    const res = await w.app.inject({ url: '/api/conversations', headers: auth })
    expect(res.statusCode).toBe(200)
    expect(res.json().items).toHaveLength(1)
    expect(await tableCounts(database)).toEqual(before)
  })
})
