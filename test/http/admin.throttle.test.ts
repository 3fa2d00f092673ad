import type { FastifyInstance, InjectOptions } from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'

/** The contract of issue #8: 10 failed attempts within a minute, then 429; never locked out past a minute. */
const MAX_FAILURES = 10
const WINDOW_MS = 60_000
const RIGHT = { authorization: `Bearer ${ADMIN_TOKEN}` }
const WRONG = { authorization: 'Bearer not-the-admin-token' }
/** The load balancer in front of Atende, as the TCP peer every forwarded request comes from. */
const PROXY = '127.0.0.1'

type Client = { remoteAddress?: string; forwardedFor?: string }

function request(app: FastifyInstance, headers: Record<string, string>, client: Client = {}, url = '/api/metrics/http') {
  const options: InjectOptions = {
    url,
    headers: client.forwardedFor === undefined ? headers : { ...headers, 'x-forwarded-for': client.forwardedFor },
    remoteAddress: client.remoteAddress ?? PROXY,
  }
  return app.inject(options)
}

async function failTimes(app: FastifyInstance, n: number, client: Client = {}): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < n; i++) statuses.push((await request(app, WRONG, client, '/api/conversations')).statusCode)
  return statuses
}

/**
 * Every route under /api, read from Fastify's own route table, with a sample value for each
 * parameter: a route another change adds under /api is covered without editing this file.
 */
function adminRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line)
    if (m === null) continue
    stack.length = m[1]!.length / 4
    stack.push(m[2]!)
    const url = stack.join('').replace(/:[^/]+/g, '1')
    if (!url.startsWith('/api/') || m[3] === undefined) continue
    for (const method of m[3].split(', ')) routes.push({ method, url })
  }
  return routes
}

describe('admin API: failed authentication is throttled per client', () => {
  let t: TestDatabase
  let database: Database
  const apps: WebhookApp[] = []
  const build = async (trustProxy: boolean | string[] = false) => {
    const w = await buildWebhookApp(database, { trustProxy })
    apps.push(w)
    return w.app
  }

  beforeAll(async () => {
    // Throttling happens before any query, so one engine is enough.
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  afterAll(async () => {
    for (const w of apps) await w.close()
    await database.close()
    await t.drop()
  })

  it('answers 429 with a code, a message and Retry-After once a client has failed 10 times within a minute', async () => {
    const app = await build()
    expect(await failTimes(app, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401))
    const res = await request(app, WRONG)
    expect(res.statusCode).toBe(429)
    expect(res.json()).toEqual({ code: 'ATD_ADMIN_THROTTLED', message: expect.stringMatching(/^too many failed .*retry in \d+ s$/) })
    const retryAfter = Number(res.headers['retry-after'])
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000)
  })

  it('stops 300 wrong tokens in a row after the burst: 10 answered 401, every other 429', async () => {
    const app = await build()
    const statuses = await failTimes(app, 300)
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES)
    expect(statuses.slice(MAX_FAILURES).every((s) => s === 429)).toBe(true)
  })

  it('counts concurrent attempts too: of 300 wrong tokens sent at once, at most 10 are answered 401', async () => {
    const app = await build()
    const statuses = await Promise.all(Array.from({ length: 300 }, () => request(app, WRONG).then((r) => r.statusCode)))
    // The counter is read after the concurrent attempts have added to it, so a burst may
    // see no 401 at all: it errs towards refusing, never towards comparing more tokens.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_FAILURES)
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true)
    expect((await request(app, RIGHT)).statusCode).toBe(429)
  })

  it('refuses even the right token during a lockout, and lets it in again once the minute is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const t0 = new Date('2026-12-01T12:00:00Z').getTime()
    vi.setSystemTime(t0)
    const app = await build()
    await failTimes(app, MAX_FAILURES)
    // A right token accepted during the lockout would tell a guesser it had won.
    const locked = await request(app, RIGHT)
    expect(locked.statusCode).toBe(429)
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60)

    // More attempts during the lockout do not extend it.
    vi.setSystemTime(t0 + 30_000)
    expect(new Set(await failTimes(app, 50))).toEqual(new Set([429]))
    const later = await request(app, RIGHT)
    expect(later.statusCode).toBe(429)
    expect(Number(later.headers['retry-after'])).toBeLessThanOrEqual(30)

    vi.setSystemTime(t0 + WINDOW_MS)
    expect((await request(app, RIGHT)).statusCode).toBe(200)
    expect(await failTimes(app, 1)).toEqual([401])
  })

  it('counts only failures: a client using the right token is never throttled by its own requests', async () => {
    const app = await build()
    expect(await failTimes(app, MAX_FAILURES - 1)).toEqual(Array(MAX_FAILURES - 1).fill(401))
    for (let i = 0; i < 100; i++) expect((await request(app, RIGHT)).statusCode).toBe(200)
    expect(await failTimes(app, 2)).toEqual([401, 429])
  })

  it('counts each client on its own', async () => {
    const app = await build()
    const attacker = { remoteAddress: '198.51.100.7' }
    const admin = { remoteAddress: '198.51.100.8' }
    await failTimes(app, MAX_FAILURES + 1, attacker)
    expect((await request(app, RIGHT, attacker)).statusCode).toBe(429)
    expect((await request(app, RIGHT, admin)).statusCode).toBe(200)
    expect(await failTimes(app, 1, admin)).toEqual([401])
  })

  it('ignores X-Forwarded-For when TRUST_PROXY is off: a client cannot dodge the count by writing the header', async () => {
    const app = await build(false)
    const statuses: number[] = []
    for (let i = 0; i <= MAX_FAILURES; i++) statuses.push((await request(app, WRONG, { forwardedFor: `203.0.113.${i + 1}` })).statusCode)
    expect(statuses.at(-1)).toBe(429)
    expect((await request(app, RIGHT, { forwardedFor: '203.0.113.200' })).statusCode).toBe(429)
  })

  it('with TRUST_PROXY on, counts each forwarded client on its own, so one attacker behind the proxy locks out only itself', async () => {
    const app = await build(true)
    const attacker = { forwardedFor: '203.0.113.7' }
    const admin = { forwardedFor: '203.0.113.8' }
    await failTimes(app, MAX_FAILURES + 1, attacker)
    expect((await request(app, RIGHT, attacker)).statusCode).toBe(429)
    expect((await request(app, RIGHT, admin)).statusCode).toBe(200)
    expect(await failTimes(app, 1, admin)).toEqual([401])
  })

  it('with TRUST_PROXY naming the proxy, counts the address the proxy saw, not what the client wrote before it', async () => {
    const app = await build([PROXY])
    const statuses: number[] = []
    // The proxy appends the address it saw; the attacker controls only what comes before it.
    for (let i = 0; i <= MAX_FAILURES; i++) statuses.push((await request(app, WRONG, { forwardedFor: `10.9.9.${i}, 203.0.113.7` })).statusCode)
    expect(statuses).toEqual([...Array(MAX_FAILURES).fill(401), 429])
    expect((await request(app, RIGHT, { forwardedFor: '203.0.113.8' })).statusCode).toBe(200)
  })

  it('guards every route under /api, those added later included, and unknown /api paths too', async () => {
    const app = await build()
    const routes = adminRoutes(app)
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /api/conversations', 'DELETE /api/metrics/http']))
    const all = [...routes, { method: 'GET', url: '/api/no-such-route' }, { method: 'POST', url: '/api/conversations' }]
    // One client per route, so that these failures do not add up to a lockout.
    for (const [i, { method, url }] of all.entries()) {
      const res = await app.inject({ method: method as 'GET', url, remoteAddress: `2001:db8:${i}::1` })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
    }
    const locked = { remoteAddress: '198.51.100.21' }
    await failTimes(app, MAX_FAILURES, locked)
    for (const { method, url } of all) {
      const res = await app.inject({ method: method as 'GET', url, headers: RIGHT, remoteAddress: locked.remoteAddress })
      expect(res.statusCode, `${method} ${url}`).toBe(429)
    }
  })
})
