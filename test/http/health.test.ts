import { describe, expect, it } from 'vitest'
import { buildWebhookApp, useWebhookApp } from '../helpers/webhook-app.js'

describe('health routes', () => {
  const w = useWebhookApp('pglite')

  it('says the process is alive on /healthz', async () => {
    const res = await w.app.inject({ url: '/healthz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('reports the database engine and runtime mode on /readyz', async () => {
    const res = await w.app.inject({ url: '/readyz' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready', database: 'pglite', runtime: 'in-process', warnings: [] })
  })

  it('lists configuration warnings on /readyz and stays ready', async () => {
    const warned = await buildWebhookApp(w.database, { warnings: ['WHATSAPP_APP_SECRET is not set: webhook signatures are NOT verified'] })
    try {
      const res = await warned.app.inject({ url: '/readyz' })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ status: 'ready', warnings: ['WHATSAPP_APP_SECRET is not set: webhook signatures are NOT verified'] })
    } finally {
      await warned.close()
    }
  })

  it('answers unknown routes with a 404 in the error shape', async () => {
    const res = await w.app.inject({ url: '/nope?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ code: 'ATD_NOT_FOUND', message: 'no route for GET /nope' })
  })
})
