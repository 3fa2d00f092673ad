import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALERT_RULES, createAlerts } from '../../src/ops/index.js'
import { insertAlerts, queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const q = encodeURIComponent
const T0 = Date.parse('2026-11-30T12:00:00.000Z')
const MINUTE = 60_000

interface Item { id: number; alert: string; severity: string; subject: string; text: string; details: Record<string, unknown>; at: string }

describe.each(ENGINES)('GET /api/alerts (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let before: string
  const get = (query = '', headers: Record<string, string> = auth) => w.app.inject({ method: 'GET', url: `/api/alerts${query}`, headers })
  const items = async (query = '') => {
    const r = await get(query)
    expect(r.statusCode, r.body).toBe(200)
    return (r.json() as { items: Item[] }).items
  }
  const snapshot = async () => JSON.stringify(await queryRows(database.db, sql`select * from alerts order by id`))

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    // 57 older warnings straight into the table, then three alerts raised as the pipeline raises them.
    await insertAlerts(database.db, Array.from({ length: 57 }, (_, i) => ({
      rule: 'queue_backlog', severity: 'warning' as const, subject: 'ai-response', details: { waiting: 1_000 + i }, at: new Date(T0 - (60 - i) * MINUTE),
    })))
    let clock = T0
    const alerts = createAlerts({ log: pino({ level: 'silent' }), webhookUrl: undefined, cooldownMs: 600_000, now: () => clock, store: (batch) => insertAlerts(database.db, batch) })
    alerts.raise('job_failed', { subject: 'ai-response', details: { queue: 'ai-response', attempt: 4, maxAttempts: 4, code: 'ATD_AI_PROVIDER' } })
    clock += MINUTE
    alerts.raise('handoff_waiting', { subject: '42', details: { conversationId: 42 } })
    clock += MINUTE
    alerts.raise('redis_lost')
    await alerts.close()
    before = await snapshot()
  })
  afterAll(async () => {
    expect(await snapshot()).toBe(before)
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  it('lists what was raised, newest first, with the rule text', async () => {
    const [first, second, third] = await items('?limit=3')
    expect(first).toEqual({
      id: expect.any(Number), alert: 'redis_lost', severity: 'critical', subject: '-', text: ALERT_RULES.redis_lost.text, details: {}, at: new Date(T0 + 2 * MINUTE).toISOString(),
    })
    expect(second).toEqual({
      id: expect.any(Number), alert: 'handoff_waiting', severity: 'warning', subject: '42', text: ALERT_RULES.handoff_waiting.text,
      details: { conversationId: 42 }, at: new Date(T0 + MINUTE).toISOString(),
    })
    expect(third).toMatchObject({ alert: 'job_failed', severity: 'critical', subject: 'ai-response', details: { queue: 'ai-response', attempt: 4, maxAttempts: 4, code: 'ATD_AI_PROVIDER' } })
  })

  it('answers 50 by default and at most 200', async () => {
    const page = await items()
    expect(page).toHaveLength(50)
    const times = page.map((i) => Date.parse(i.at))
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(await items('?limit=200')).toHaveLength(60)
    expect(await items('?limit=1')).toHaveLength(1)
  })

  it('filters by severity and by since (included)', async () => {
    expect((await items('?severity=critical')).map((i) => i.alert)).toEqual(['redis_lost', 'job_failed'])
    expect((await items('?severity=warning&limit=200')).every((i) => i.severity === 'warning')).toBe(true)
    expect((await items('?severity=warning&limit=200'))).toHaveLength(58)
    expect((await items(`?since=${q(new Date(T0 + MINUTE).toISOString())}`)).map((i) => i.alert)).toEqual(['redis_lost', 'handoff_waiting'])
    // The same instant written with São Paulo's offset.
    expect((await items(`?since=${q('2026-11-30T09:01:00-03:00')}&severity=critical`)).map((i) => i.alert)).toEqual(['redis_lost'])
    expect(await items(`?since=${q('2026-12-01T00:00:00Z')}`)).toEqual([])
  })

  it('needs the admin token', async () => {
    const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-token' }, { authorization: ADMIN_TOKEN }]
    for (const headers of refused) {
      const r = await get('', headers)
      expect(r.statusCode).toBe(401)
      expect(r.json()).toMatchObject({ code: 'ATD_UNAUTHORIZED' })
    }
  })

  it.each([
    ['limit 0', '?limit=0'],
    ['limit over 200', '?limit=201'],
    ['a negative limit', '?limit=-1'],
    ['a hexadecimal limit', '?limit=0x1f'],
    ['an exponent', '?limit=1e1'],
    ['a plus sign', '?limit=%2B1'],
    ['a leading zero', '?limit=01'],
    ['a decimal point', '?limit=1.0'],
    ['a leading space', '?limit=%201'],
    ['a word', '?limit=ten'],
    ['an empty limit', '?limit='],
    ['a repeated limit', '?limit=1&limit=2'],
    ['a date without a time', '?since=2026-11-30'],
    ['a date-time without an offset', `?since=${q('2026-11-30T08:00:00')}`],
    ['a day not in the calendar', `?since=${q('2026-02-30T08:00:00Z')}`],
    ['hour 24', `?since=${q('2026-11-30T24:00:00Z')}`],
    ['a timestamp number', '?since=1764504000000'],
    ['a word for a time', '?since=yesterday'],
    ['an empty since', '?since='],
    ['a since too long to be a date', `?since=${'2'.repeat(100)}`],
    ['an unknown severity', '?severity=info'],
    ['a severity in capitals', '?severity=CRITICAL'],
    ['an unknown key', '?rule=job_failed'],
    ['a key in another case', '?Limit=5'],
    ['a prototype key', '?__proto__=1'],
    ['a constructor key', '?constructor=1'],
  ])('refuses %s with 400 ATD_BAD_REQUEST', async (_name, query) => {
    const r = await get(query)
    expect(r.statusCode, r.body).toBe(400)
    expect(r.json()).toMatchObject({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
  })

  it('answers only GET', async () => {
    const r = await w.app.inject({ method: 'POST', url: '/api/alerts', headers: { ...auth, 'content-type': 'application/json' }, payload: {} })
    expect(r.statusCode).toBe(404)
    expect(r.json()).toMatchObject({ code: expect.stringMatching(/^ATD_/) })
  })
})
