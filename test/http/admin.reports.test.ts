import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { markSurveySent, planSurvey, queryRows, recordSurveyScore, schema, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const NOW = new Date('2026-11-30T12:00:00Z')
const q = encodeURIComponent

/** Scores answered at these instants (UTC); São Paulo is UTC−3. */
const ANSWERS: Array<[string | null, number, string]> = [
  ['financeiro', 10, '2026-11-30T02:59:59Z'], // 29 Nov 23:59:59 in São Paulo
  ['financeiro', 9, '2026-11-30T03:00:00Z'], // 30 Nov 00:00 in São Paulo
  ['suporte', 8, '2026-11-15T12:00:00Z'],
  [null, 2, '2026-11-10T12:00:00Z'],
  ['suporte', 10, '2026-10-01T12:00:00Z'], // more than 30 days before NOW
]

/** A detractor on the dashboard's simulator (docs/decisions/0026): never counted. */
const SIMULATED: [string | null, number, string] = ['financeiro', 0, '2026-11-20T12:00:00Z']

async function seed(database: Database): Promise<void> {
  for (const [i, [department, score, when]] of [...ANSWERS, SIMULATED].entries()) {
    const phoneNumberId = i === ANSWERS.length ? 'simulator' : '1000000001'
    const [contact] = await database.db.insert(schema.contacts).values({ customerKey: `wa:551190000800${i}`, waId: `551190000800${i}` }).returning()
    const [c] = await database.db.insert(schema.conversations).values({ phoneNumberId, contactId: contact!.id, department }).returning()
    const s = await planSurvey(database.db, { conversationId: c!.id, contactId: contact!.id, resolvedSeq: 1, department, dueAt: new Date(when) })
    await markSurveySent(database.db, { id: s!.id, at: new Date(when), outboxId: null, expiresAt: new Date(when) })
    await recordSurveyScore(database.db, { id: s!.id, score, at: new Date(when) })
  }
}

describe.each(ENGINES)('GET /api/reports/nps (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let before: string
  const get = (query = '', headers: Record<string, string> = auth) => w.app.inject({ method: 'GET', url: `/api/reports/nps${query}`, headers })
  const snapshot = async () => JSON.stringify(await queryRows(database.db, sql`select * from nps_surveys order by id`))

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { now: () => NOW })
    await seed(database)
    before = await snapshot()
  })
  afterAll(async () => {
    expect(await snapshot()).toBe(before)
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  it('answers the last 30 days by default, overall and per department (null: no department)', async () => {
    const r = await get()
    expect(r.statusCode).toBe(200)
    expect(r.json()).toEqual({
      responses: 4,
      promoters: 2,
      passives: 1,
      detractors: 1,
      nps: 25,
      byDepartment: [
        { department: 'financeiro', responses: 2, promoters: 2, passives: 0, detractors: 0, nps: 100 },
        { department: 'suporte', responses: 1, promoters: 0, passives: 1, detractors: 0, nps: 0 },
        { department: null, responses: 1, promoters: 0, passives: 0, detractors: 1, nps: -100 },
      ],
    })
  })

  it('reads a date as that whole day in the business time zone, both ends included', async () => {
    expect((await get('?from=2026-11-30&to=2026-11-30')).json()).toMatchObject({ responses: 1, promoters: 1, byDepartment: [{ department: 'financeiro' }] })
    expect((await get('?from=2026-11-29&to=2026-11-29')).json()).toMatchObject({ responses: 1 })
    expect((await get('?from=2026-10-01&to=2026-11-30')).json()).toMatchObject({ responses: 5 })
  })

  it('takes ISO date-times with their offset, `to` included', async () => {
    expect((await get(`?from=${q('2026-11-30T00:00:00-03:00')}&to=${q('2026-11-30T03:00:00Z')}`)).json()).toMatchObject({ responses: 1 })
    expect((await get(`?from=${q('2026-11-30T03:00:00.001Z')}&to=${q('2026-11-30T09:00:00+05:30')}`)).json()).toMatchObject({ responses: 0, nps: null })
  })

  it("leaves out the simulator's conversations", async () => {
    expect((await get('?from=2026-11-20&to=2026-11-20')).json()).toMatchObject({ responses: 0, nps: null, byDepartment: [] })
  })

  it('filters by department', async () => {
    expect((await get('?department=suporte&from=2026-01-01')).json()).toEqual({
      responses: 2,
      promoters: 1,
      passives: 1,
      detractors: 0,
      nps: 50,
      byDepartment: [{ department: 'suporte', responses: 2, promoters: 1, passives: 1, detractors: 0, nps: 50 }],
    })
    expect((await get('?department=vendas')).json()).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, nps: null, byDepartment: [] })
  })

  it.each([
    ['the last day of the calendar', '?to=9999-12-31'],
    ['its last nanosecond', `?to=${q('9999-12-31T23:59:59.999999999Z')}`],
    ['its last minute west of UTC', `?from=${q('9999-12-31T00:00:00Z')}&to=${q('9999-12-31T23:59:00-03:00')}`],
  ])('takes a range ending on %s (a date it accepts, past which the end would fall in year 10000)', async (_name, query) => {
    const r = await get(query)
    expect(r.statusCode, r.body).toBe(200)
    expect(r.json()).toMatchObject({ responses: 0, nps: null, byDepartment: [] })
  })

  it('needs the admin token', async () => {
    expect((await get('', {})).json()).toMatchObject({ code: 'ATD_UNAUTHORIZED' })
  })

  it.each([
    ['a date that is not a day', '?from=2026-02-30'],
    ['a month 13', '?to=2026-13-01'],
    ['a date-time without an offset', `?from=${q('2026-11-30T08:00:00')}`],
    ['a date-time at hour 24', `?from=${q('2026-11-30T24:00:00Z')}`],
    ['an offset of 25 hours', `?from=${q('2026-11-30T08:00:00+25:00')}`],
    ['a timestamp number', '?from=1764504000000'],
    ['words', '?from=yesterday'],
    ['an SQL-ish value', `?from=${q("2026-11-30' or 1=1 --")}`],
    ['from after to', '?from=2026-11-30&to=2026-11-01'],
    ['from equal to a to instant', `?from=${q('2026-11-30T00:00:00Z')}&to=${q('2026-11-29T23:59:59.999Z')}`],
    ['a year before 1970', '?from=1969-12-31'],
    ['two values of from', '?from=2026-11-01&from=2026-11-02'],
    ['a department in upper case', '?department=Suporte'],
    ['a department with a NUL character', `?department=${q('suporte\u0000')}`],
    ['a department over 64 characters', `?department=${'d'.repeat(65)}`],
    ['an empty department', '?department='],
    ['an unknown parameter', '?since=2026-11-01'],
    ['a very long from', `?from=${'9'.repeat(5000)}`],
  ])('refuses %s with 400 ATD_BAD_REQUEST', async (_name, query) => {
    const r = await get(query)
    expect(r.statusCode).toBe(400)
    expect(r.json()).toMatchObject({ code: 'ATD_BAD_REQUEST', message: expect.any(String) })
  })
})
