import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, signedPost, useWebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

describe('server-side request timing', () => {
  const w = useWebhookApp('pglite')

  it('counts every request, webhooks included, and reports percentiles to the admin', async () => {
    for (let i = 0; i < 5; i++) await w.app.inject(signedPost(webhookWith(textMessage(`wamid.TIME${i}`, 'oi'))))
    await w.app.inject({ url: '/healthz' })
    const res = await w.app.inject({ url: '/api/metrics/http', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(res.statusCode).toBe(200)
    const m = res.json() as { count: number; p50Ms: number; p99Ms: number; maxMs: number }
    expect(m.count).toBe(6)
    expect(m.p50Ms).toBeGreaterThan(0)
    expect(m.p99Ms).toBeGreaterThanOrEqual(m.p50Ms)
    expect(m.maxMs).toBeGreaterThanOrEqual(m.p99Ms)
  })

  it('starts counting afresh after a reset', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
    expect((await w.app.inject({ method: 'DELETE', url: '/api/metrics/http', headers: auth })).statusCode).toBe(204)
    const m = (await w.app.inject({ url: '/api/metrics/http', headers: auth })).json() as { count: number }
    // The reset request itself is counted once it has been answered; the read is not yet.
    expect(m.count).toBe(1)
  })

  it('keeps the figures behind the admin token', async () => {
    expect((await w.app.inject({ url: '/api/metrics/http' })).statusCode).toBe(401)
  })
})
