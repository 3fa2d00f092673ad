import { describe, expect, it } from 'vitest'
import { ENGINES } from '../helpers/db.js'
import { tableCounts } from '../helpers/rows.js'
import { ADMIN_TOKEN, signedPost, useWebhookApp } from '../helpers/webhook-app.js'
import { webhookWith } from '../whatsapp/fixtures.js'

const CUSTOMER = '5511900008001'

/** Ids the routes must refuse with a 400, before reading anything: each is (label, raw path segment). */
const MALFORMED: Array<[string, string]> = [
  ['letters', 'abc'],
  ['a plus sign', '%2B5511900008001'],
  ['a dash', '5511-90000'],
  ['a space', '5511%20900008001'],
  ['a NUL byte', '5511900008001%00'],
  ['a newline', '5511900008001%0A'],
  ['21 digits', '5'.repeat(21)],
  ['200 digits', '5'.repeat(200)],
  ['full-width digits', encodeURIComponent('５５１１９００００８００１')],
  ['Arabic-Indic digits', encodeURIComponent('٥٥١١٩٠٠٠٠٨٠٠١')],
  ['a zero-width space', `${encodeURIComponent('\u200b')}${CUSTOMER}`],
  ['an emoji', encodeURIComponent('😀')],
  ['an empty bsuid', 'bsuid:'],
  ['a bsuid of 129 characters', `bsuid:${'a'.repeat(129)}`],
  ['a bsuid with an accent', encodeURIComponent('bsuid:joão')],
  ['a bsuid with a quote', "bsuid:a'b"],
  ['another prefix', 'wa:5511900008001'],
  ['an encoded slash', '5511%2F..%2F900008001'],
  ['SQL', encodeURIComponent("1' or '1'='1")],
]

describe.each(ENGINES)('privacy routes refuse bad input (%s)', (engine) => {
  const suite = useWebhookApp(engine)
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }

  async function seeded() {
    const message = { from: CUSTOMER, id: `wamid.PIN.${Math.random()}`, timestamp: '1700000000', type: 'text', text: { body: 'oi' } }
    const res = await suite.app.inject(signedPost(webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: CUSTOMER }] })))
    expect(res.statusCode).toBe(200)
    return tableCounts(suite.database)
  }

  it.each(MALFORMED)('answers 400 with what it expects to an id with %s, and changes nothing', async (_label, id) => {
    const before = await seeded()
    for (const method of ['GET', 'DELETE'] as const) {
      const url = method === 'GET' ? `/api/contacts/${id}/export` : `/api/contacts/${id}`
      const res = await suite.app.inject({ method, url, headers: auth })
      expect(res.statusCode, `${method} ${url.slice(0, 80)}`).toBe(400)
      const body = res.json() as { code: string; message: string }
      expect(body.code).toBe('ATD_BAD_REQUEST')
      expect(body.message.length).toBeLessThan(400)
    }
    expect(await tableCounts(suite.database)).toEqual(before)
  })

  it('refuses an id far too long for a route parameter (414), and changes nothing', async () => {
    const before = await seeded()
    for (const [method, url] of [['GET', `/api/contacts/${'5'.repeat(10_000)}/export`], ['DELETE', `/api/contacts/bsuid:${'a'.repeat(5_000)}`]] as const) {
      const res = await suite.app.inject({ method, url, headers: auth })
      expect(res.statusCode).toBe(414)
      expect(res.json()).toMatchObject({ code: 'ATD_URI_TOO_LONG', message: expect.any(String) })
    }
    expect(await tableCounts(suite.database)).toEqual(before)
  })

  it('answers 401 without the token, or with a wrong one, and changes nothing', async () => {
    const before = await seeded()
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: ADMIN_TOKEN }]) {
      expect((await suite.app.inject({ method: 'GET', url: `/api/contacts/${CUSTOMER}/export`, headers })).statusCode).toBe(401)
      const res = await suite.app.inject({ method: 'DELETE', url: `/api/contacts/${CUSTOMER}`, headers })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ code: 'ATD_UNAUTHORIZED' })
    }
    expect(await tableCounts(suite.database)).toEqual(before)
  })

  it('answers 404 { code, message } for a customer it holds nothing of, by number or business-scoped id', async () => {
    const before = await seeded()
    for (const id of ['5511900008999', 'bsuid:BR.unknown-1', '55119']) {
      for (const [method, url] of [['GET', `/api/contacts/${id}/export`], ['DELETE', `/api/contacts/${id}`]] as const) {
        const res = await suite.app.inject({ method, url, headers: auth })
        expect(res.statusCode).toBe(404)
        expect(res.json()).toMatchObject({ code: 'ATD_NOT_FOUND', message: expect.any(String) })
        expect(res.body).not.toContain(id)
      }
    }
    expect(await tableCounts(suite.database)).toEqual(before)
  })

  it('takes a customer by business-scoped id, the same person as their phone number', async () => {
    const userId = 'BR.1234567890abcdef'
    const both = { from: CUSTOMER, from_user_id: userId, id: 'wamid.PIN.BOTH', timestamp: '1700000000', type: 'text', text: { body: 'oi de novo' } }
    await suite.app.inject(signedPost(webhookWith(both, { contacts: [{ profile: { name: 'Cliente' }, wa_id: CUSTOMER, user_id: userId }] })))
    const onlyUser = { from_user_id: userId, id: 'wamid.PIN.USER', timestamp: '1700000000', type: 'text', text: { body: 'só o id' } }
    await suite.app.inject(signedPost(webhookWith(onlyUser, { contacts: [{ profile: { name: 'Cliente' }, user_id: userId }] })))

    await suite.ingest.idle()
    const res = await suite.app.inject({ method: 'GET', url: `/api/contacts/bsuid:${userId}/export`, headers: auth })
    expect(res.statusCode).toBe(200)
    const contacts = (res.json() as { sections: Array<{ table: string; rows: Array<{ customer_key: string }> }> }).sections[0]!
    expect(contacts.table).toBe('contacts')
    expect(contacts.rows.map((r) => r.customer_key).sort()).toEqual([`bsuid:${userId}`, `wa:${CUSTOMER}`])
    const byNumber = await suite.app.inject({ method: 'GET', url: `/api/contacts/${CUSTOMER}/export`, headers: auth })
    type Sections = { sections: Array<{ table: string; rows: Array<{ id: number }> }> }
    const ids = (body: Sections) => body.sections.map((section) => [section.table, section.rows.map((r) => r.id)])
    expect(ids(byNumber.json() as Sections)).toEqual(ids(res.json() as Sections))
  })
})
