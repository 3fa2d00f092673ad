import { eq, sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRetention } from '../../src/privacy/index.js'
import {
  applyLifecycleEvent,
  commitInbox,
  eraseCustomer,
  exportCustomer,
  markSurveySent,
  npsReport,
  planSurvey,
  queryRows,
  recordSurveyComment,
  recordSurveyScore,
  schema,
  type Database,
} from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { scanDatabase } from '../helpers/personal-data-scan.js'

const DAY = 86_400_000
const COMMENT = 'a Carla Exemplo resolveu meu boleto'
const AGENT = 'Carla Exemplo'
const silent = pino({ level: 'silent' })

/** A customer who wrote at `at`, was resolved by an agent, answered the survey with 6 and a comment. */
async function surveyedCustomer(database: Database, customer: string, at: Date): Promise<{ conversationId: number; surveyId: number }> {
  await commitInbox(
    database.db,
    {
      messages: [{ phoneNumberId: '1000000001', customerKey: `wa:${customer}`, waId: customer, userId: undefined, profileName: `Nome ${customer}`,
        wamid: `wamid.LC.${customer}`, type: 'text', text: 'meu boleto', media: undefined, payload: undefined, sentAt: at }],
      statuses: [],
      quarantine: [],
    },
    at,
    { debounceMs: 0, debounceMaxMs: 0 },
  )
  const [c] = await database.db.select().from(schema.conversations).innerJoin(schema.contacts, eq(schema.contacts.id, schema.conversations.contactId))
    .where(eq(schema.contacts.waId, customer))
  const conversationId = c!.conversations.id
  await database.db.update(schema.conversations).set({ department: 'financeiro' }).where(eq(schema.conversations.id, conversationId))
  await applyLifecycleEvent(database.db, { conversationId, event: 'agent_resolve', agent: AGENT, at })
  const s = await planSurvey(database.db, { conversationId, contactId: c!.contacts.id, resolvedSeq: 1, department: 'financeiro', dueAt: at })
  await markSurveySent(database.db, { id: s!.id, at, outboxId: 42, expiresAt: new Date(at.getTime() + DAY) })
  await applyLifecycleEvent(database.db, { conversationId, event: 'survey_sent', at })
  await recordSurveyScore(database.db, { id: s!.id, score: 6, at })
  await recordSurveyComment(database.db, { id: s!.id, comment: COMMENT, at })
  await database.db.execute(sql`update nps_surveys set created_at = ${at}::timestamptz where id = ${s!.id}`)
  return { conversationId, surveyId: s!.id }
}

const survey = async (database: Database, id: number) => (await database.db.select().from(schema.npsSurveys).where(eq(schema.npsSurveys.id, id)))[0]!

describe.each(ENGINES)('lifecycle data in export, erase and retention (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeEach(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterEach(async () => {
    await database.close()
    await t.drop()
  })

  it('exports their conversation events and surveys, comment included', async () => {
    await surveyedCustomer(database, '5511900012001', new Date())
    const exported = await exportCustomer(database.db, { kind: 'wa', waId: '5511900012001' })
    const rows = (table: string) => exported!.sections.find((s) => s.table === table)!.rows as Array<Record<string, unknown>>
    expect(rows('conversation_events').map((e) => [e.cause, e.agent])).toEqual([['agent_resolve', AGENT], ['survey_sent', null]])
    expect(rows('nps_surveys')).toMatchObject([{ score: 6, category: 'detractor', comment: COMMENT, department: 'financeiro' }])
  })

  it('erase deletes their events and anonymises their survey: score, department and dates stay in the report', async () => {
    const at = new Date('2026-11-20T12:00:00Z')
    const { surveyId } = await surveyedCustomer(database, '5511900012002', at)
    const erased = await eraseCustomer(database.db, { kind: 'wa', waId: '5511900012002' }, new Date())
    expect(erased!.removed).toMatchObject({ conversation_events: 2, nps_surveys: 1, conversations: 1, contacts: 1 })
    expect(await survey(database, surveyId)).toMatchObject({
      conversationId: null, contactId: null, comment: null, outboxId: null, score: 6, category: 'detractor', department: 'financeiro', answeredAt: at,
    })
    expect((await scanDatabase(database, [COMMENT, AGENT, '5511900012002'])).findings).toEqual([])
    expect(await npsReport(database.db, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') })).toMatchObject({
      responses: 1,
      detractors: 1,
      byDepartment: [{ department: 'financeiro', responses: 1 }],
    })
  })

  it('retention purges old events, anonymises old surveys, then the conversation and contact go', async () => {
    const now = new Date()
    const old = new Date(now.getTime() - 20 * DAY)
    const { surveyId } = await surveyedCustomer(database, '5511900012003', old)
    await surveyedCustomer(database, '5511900012004', new Date(now.getTime() - DAY))
    await database.db.execute(sql`update conversations set updated_at = ${old}::timestamptz where id in
      (select c.id from conversations c join contacts k on k.id = c.contact_id where k.wa_id = '5511900012003')`)
    await database.db.execute(sql`update contacts set updated_at = ${old}::timestamptz where wa_id = '5511900012003'`)
    const retention = createRetention({ db: database.db, log: silent, retentionDays: 10, now: () => now, checkIntervalMs: DAY })
    try {
      const report = await retention.runOnce()
      expect(report?.removed).toMatchObject({ messages: 1, conversation_events: 2, nps_surveys: 1, conversations: 1, contacts: 1 })
    } finally {
      await retention.close()
    }
    expect(await survey(database, surveyId)).toMatchObject({ conversationId: null, contactId: null, comment: null, score: 6, department: 'financeiro' })
    const left = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from nps_surveys where comment is not null`)
    expect(left[0]!.n).toBe(1) // the recent customer's survey is untouched
    expect((await scanDatabase(database, ['5511900012003'])).findings).toEqual([])
  })
})
