import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const RIGHT = { authorization: `Bearer ${ADMIN_TOKEN}` }
/** A fictional customer number, in a path and a query string. */
const PHONE = '5511987650001'
const CLIENT_IP = '198.51.100.23'

type Line = Record<string, unknown>

describe.each(ENGINES)('admin API: access log (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  const lines: Line[] = []
  const access = () => lines.filter((l) => l.event === 'admin_access')

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) })
    w = await buildWebhookApp(database, { log })
  })
  beforeEach(() => {
    lines.length = 0
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it('writes one line per admin request: route pattern, method, status, duration and time', async () => {
    const res = await w.app.inject({ url: `/api/conversations/${PHONE}?x=1`, headers: RIGHT, remoteAddress: CLIENT_IP })
    expect(res.statusCode).toBe(404)
    expect(access()).toHaveLength(1)
    const line = access()[0]!
    expect(line).toMatchObject({
      event: 'admin_access',
      method: 'GET',
      route: '/api/conversations/:id',
      status: 404,
      authFailed: false,
      throttled: false,
    })
    expect(typeof line.durationMs).toBe('number')
    expect(line.durationMs).toBeGreaterThanOrEqual(0)
    expect(typeof line.time).toBe('number')
  })

  it('never carries a phone number from the path or the query, nor the client address', async () => {
    const requests = [
      { url: `/api/conversations/${PHONE}`, headers: RIGHT },
      { url: `/api/conversations?contact=${PHONE}`, headers: RIGHT },
      { url: `/api/conversations?contact=%2B${PHONE}&limit=abc`, headers: RIGHT },
      { url: `/api/no-such-route/${PHONE}?waId=${PHONE}`, headers: RIGHT },
      { url: `/api/conversations?contact=${PHONE}`, headers: { authorization: `Bearer ${PHONE}` } },
    ]
    for (const r of requests) await w.app.inject({ ...r, remoteAddress: CLIENT_IP })
    expect(access()).toHaveLength(requests.length)
    const text = JSON.stringify(lines)
    expect(text).not.toContain(PHONE)
    expect(text).not.toContain(CLIENT_IP)
    expect(text).not.toContain(ADMIN_TOKEN)
    expect(access().map((l) => l.route)).toEqual([
      '/api/conversations/:id',
      '/api/conversations',
      '/api/conversations',
      '/api/*',
      '/api/conversations',
    ])
  })

  it('marks failed and throttled authentications', async () => {
    const attacker = '198.51.100.99'
    for (let i = 0; i < 11; i++) {
      await w.app.inject({ url: '/api/conversations', headers: { authorization: 'Bearer wrong' }, remoteAddress: attacker })
    }
    const statuses = access().map((l) => [l.status, l.authFailed, l.throttled])
    expect(statuses).toEqual([...Array(10).fill([401, true, false]), [429, true, true]])
    const lockouts = lines.filter((l) => l.event === 'admin_lockout')
    expect(lockouts).toEqual([expect.objectContaining({ level: 40, client: access()[0]!.client, retryAfterSeconds: expect.any(Number) })])
    expect(JSON.stringify(lines)).not.toContain(attacker)
  })

  it('names one client by the same pseudonym and two clients by two, without their address', async () => {
    await w.app.inject({ url: '/api/metrics/http', headers: RIGHT, remoteAddress: '198.51.100.31' })
    await w.app.inject({ url: '/api/metrics/http', headers: RIGHT, remoteAddress: '198.51.100.31' })
    await w.app.inject({ url: '/api/metrics/http', headers: RIGHT, remoteAddress: '198.51.100.32' })
    const clients = access().map((l) => l.client)
    expect(clients[0]).toMatch(/^[0-9a-f]{12,}$/)
    expect(clients[1]).toBe(clients[0])
    expect(clients[2]).not.toBe(clients[0])
  })

  it('logs no access line for the webhook and the health routes', async () => {
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.ACCESS1', 'oi'))))).statusCode).toBe(200)
    expect((await w.app.inject({ url: '/healthz' })).statusCode).toBe(200)
    expect(access()).toEqual([])
  })
})
