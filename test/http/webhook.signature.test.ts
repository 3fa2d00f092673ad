import { describe, expect, it } from 'vitest'
import { ENGINES } from '../helpers/db.js'
import { tableCounts } from '../helpers/rows.js'
import { signedPost, VERIFY_TOKEN, useWebhookApp } from '../helpers/webhook-app.js'
import { loadWebhook } from '../whatsapp/fixtures.js'

describe.each(ENGINES)('webhook signature and handshake (%s)', (engine) => {
  const w = useWebhookApp(engine)

  it('answers the verification handshake with the challenge for the right token', async () => {
    const res = await w.app.inject({
      url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('1158201444')
  })

  it('refuses the handshake with a wrong or missing token', async () => {
    for (const q of ['hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1', 'hub.mode=subscribe&hub.challenge=1', `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`]) {
      const res = await w.app.inject({ url: `/webhooks/whatsapp?${q}` })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ code: 'ATD_WEBHOOK_BAD_VERIFY_TOKEN' })
    }
  })

  it.each([
    ['markup', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['letters', 'abc'],
    ['digits then a letter', '123a'],
    ['a sign', '-1'],
    ['a decimal point', '1.5'],
    ['a leading space', '%201'],
    ['nothing', ''],
    ['33 digits', '1'.repeat(33)],
  ])('refuses a challenge of %s with 400 ATD_BAD_REQUEST, the right token or not, and echoes nothing', async (_label, challenge) => {
    for (const token of [VERIFY_TOKEN, 'nope']) {
      const res = await w.app.inject({ url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${challenge}` })
      expect(res.statusCode, res.body).toBe(400)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.json()).toEqual({ code: 'ATD_BAD_REQUEST', message: expect.stringContaining('hub.challenge') })
    }
  })

  it('answers a challenge of 32 digits', async () => {
    const challenge = '9'.repeat(32)
    const res = await w.app.inject({ url: `/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=${challenge}` })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe(challenge)
  })

  it('answers 401 and stores nothing when the signature is missing', async () => {
    const before = await tableCounts(w.database)
    const req = signedPost(loadWebhook('text'))
    const res = await w.app.inject({ ...req, headers: { 'content-type': 'application/json' } })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'ATD_WEBHOOK_BAD_SIGNATURE' })
    expect(await tableCounts(w.database)).toEqual(before)
  })

  it('answers 401 and stores nothing for a forged or malformed signature', async () => {
    const before = await tableCounts(w.database)
    const body = JSON.stringify(loadWebhook('text'))
    for (const signature of [signedPost(body, 'wrong-secret').headers['x-hub-signature-256'], 'sha256=zz', 'sha1=abc', '', 'sha256=' + 'a'.repeat(64)]) {
      const res = await w.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, payload: body })
      expect(res.statusCode).toBe(401)
    }
    expect(await tableCounts(w.database)).toEqual(before)
  })

  it('answers 401 to a valid signature with anything after it', async () => {
    const before = await tableCounts(w.database)
    const req = signedPost(loadWebhook('text'))
    const valid = req.headers['x-hub-signature-256']
    for (const signature of [`${valid}zz`, `${valid}0`, `${valid} `, `${valid},sha256=00`]) {
      const res = await w.app.inject({ ...req, headers: { ...req.headers, 'x-hub-signature-256': signature } })
      expect(res.statusCode).toBe(401)
    }
    expect(await tableCounts(w.database)).toEqual(before)
  })

  it('verifies over the exact bytes, \\u00e1-style escapes included', async () => {
    const raw = JSON.stringify(loadWebhook('text')).replace('"body":"', '"body":"Ol\\u00e1, ')
    expect(raw).toContain('\\u00e1')
    const res = await w.app.inject(signedPost(raw))
    expect(res.statusCode).toBe(200)
  })

  it('answers 401 when a signed body is altered by one byte', async () => {
    const req = signedPost(loadWebhook('text'))
    const res = await w.app.inject({ ...req, payload: req.payload.replace('whatsapp_business_account', 'whatsapp_business_accounT') })
    expect(res.statusCode).toBe(401)
  })
})
