import { describe, expect, it } from 'vitest'
import { useWebhookApp } from '../helpers/webhook-app.js'

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
    expect(res.json()).toEqual({ status: 'ready', database: 'pglite', runtime: 'in-process' })
  })

  it('answers unknown routes with a 404 in the error shape', async () => {
    const res = await w.app.inject({ url: '/nope?x=1' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ code: 'ATD_NOT_FOUND', message: 'no route for GET /nope' })
  })
})
