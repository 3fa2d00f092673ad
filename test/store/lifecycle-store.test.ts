import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  applyLifecycleEvent,
  listConversationEvents,
  markSurveySent,
  markSurveySkipped,
  npsReport,
  optOutOfSurveys,
  planSurvey,
  recordSurveyComment,
  recordSurveyScore,
  schema,
  type Database,
} from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'

let customers = 0

/** A contact and their conversation, as ingest would leave them. */
async function conversation(database: Database, status: schema.ConversationStatus = 'open', department: string | null = null) {
  const n = ++customers
  const [contact] = await database.db
    .insert(schema.contacts)
    .values({ customerKey: `wa:55119000070${String(n).padStart(2, '0')}`, waId: `55119000070${String(n).padStart(2, '0')}` })
    .returning({ id: schema.contacts.id })
  const [c] = await database.db
    .insert(schema.conversations)
    .values({ phoneNumberId: '1000000001', contactId: contact!.id, status, department, lastSeq: 3 })
    .returning({ id: schema.conversations.id })
  return { contactId: contact!.id, conversationId: c!.id }
}

const at = (iso: string) => new Date(iso)

describe.each(ENGINES)('lifecycle store (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  it('applies a transition and records it with its cause, agent and time', async () => {
    const { conversationId } = await conversation(database)
    expect(await applyLifecycleEvent(database.db, { conversationId, event: 'agent_message', agent: 'Carla', at: at('2026-11-30T12:00:00Z') })).toMatchObject({
      ok: true,
      to: 'handoff',
    })
    // Another agent message changes nothing, but an agent's action is still recorded.
    await applyLifecycleEvent(database.db, { conversationId, event: 'agent_message', agent: 'Carla', at: at('2026-11-30T12:01:00Z') })
    // A customer writing while a person owns it changes nothing and records nothing.
    await applyLifecycleEvent(database.db, { conversationId, event: 'customer_message', at: at('2026-11-30T12:02:00Z') })
    await applyLifecycleEvent(database.db, { conversationId, event: 'release', agent: 'agent', at: at('2026-11-30T12:03:00Z') })
    const events = await listConversationEvents(database.db, conversationId)
    expect(events.map(({ fromStatus, toStatus, cause, agent, at }) => ({ fromStatus, toStatus, cause, agent, at: at.toISOString() }))).toEqual([
      { fromStatus: 'open', toStatus: 'handoff', cause: 'agent_message', agent: 'Carla', at: '2026-11-30T12:00:00.000Z' },
      { fromStatus: 'handoff', toStatus: 'handoff', cause: 'agent_message', agent: 'Carla', at: '2026-11-30T12:01:00.000Z' },
      { fromStatus: 'handoff', toStatus: 'open', cause: 'release', agent: 'agent', at: '2026-11-30T12:03:00.000Z' },
    ])
  })

  it('refuses an illegal event with its code and changes nothing', async () => {
    const { conversationId } = await conversation(database, 'closed')
    expect(await applyLifecycleEvent(database.db, { conversationId, event: 'agent_resolve', agent: 'Carla', at: new Date() })).toMatchObject({
      ok: false,
      code: 'ATD_CONVERSATION_CLOSED',
    })
    expect(await listConversationEvents(database.db, conversationId)).toEqual([])
    expect(await applyLifecycleEvent(database.db, { conversationId: 999_999, event: 'release', at: new Date() })).toBeUndefined()
  })

  it('plans one survey per resolution, sends or skips it once, and takes one score and one comment', async () => {
    const { conversationId, contactId } = await conversation(database, 'resolved', 'suporte')
    const plan = { conversationId, contactId, resolvedSeq: 3, department: 'suporte', dueAt: at('2026-11-30T12:01:00Z') }
    const survey = await planSurvey(database.db, plan)
    expect(survey).toBeDefined()
    expect(await planSurvey(database.db, plan)).toBeUndefined()
    const id = survey!.id
    expect(await recordSurveyScore(database.db, { id, score: 9, at: new Date() })).toBe(false) // not sent yet
    const sentAt = at('2026-11-30T12:01:00Z')
    expect(await markSurveySent(database.db, { id, at: sentAt, outboxId: null, expiresAt: at('2026-12-01T12:01:00Z') })).toBe(true)
    expect(await markSurveySent(database.db, { id, at: sentAt, outboxId: null, expiresAt: at('2026-12-01T12:01:00Z') })).toBe(false)
    expect(await markSurveySkipped(database.db, { id, reason: 'outside_window', at: sentAt })).toBe(false)
    expect(await recordSurveyComment(database.db, { id, comment: 'rápido', at: new Date() })).toBe(false) // no score yet
    expect(await recordSurveyScore(database.db, { id, score: 9, at: at('2026-11-30T12:02:00Z') })).toBe(true)
    expect(await recordSurveyScore(database.db, { id, score: 3, at: at('2026-11-30T12:03:00Z') })).toBe(false)
    expect(await recordSurveyComment(database.db, { id, comment: 'rápido', at: at('2026-11-30T12:04:00Z') })).toBe(true)
    expect(await recordSurveyComment(database.db, { id, comment: 'de novo', at: at('2026-11-30T12:05:00Z') })).toBe(false)
    const [contact] = await database.db.select().from(schema.contacts).where(eq(schema.contacts.id, contactId))
    expect(contact!.lastSurveyedAt?.toISOString()).toBe(sentAt.toISOString())
    const next = await planSurvey(database.db, { ...plan, resolvedSeq: 5 })
    expect(await markSurveySkipped(database.db, { id: next!.id, reason: 'surveyed_recently', at: new Date() })).toBe(true)
  })

  it('keeps the first opt-out', async () => {
    const { contactId } = await conversation(database)
    await optOutOfSurveys(database.db, contactId, at('2026-11-30T12:00:00Z'))
    await optOutOfSurveys(database.db, contactId, at('2026-12-30T12:00:00Z'))
    const [contact] = await database.db.select().from(schema.contacts).where(eq(schema.contacts.id, contactId))
    expect(contact!.npsOptedOutAt?.toISOString()).toBe('2026-11-30T12:00:00.000Z')
  })

  it('reports the NPS of scores answered in [from, to), overall and per department', async () => {
    const answers: Array<[string | null, number, string]> = [
      ['financeiro', 10, '2026-10-01T10:00:00Z'],
      ['financeiro', 9, '2026-10-02T10:00:00Z'],
      ['financeiro', 3, '2026-10-03T10:00:00Z'],
      ['suporte', 7, '2026-10-04T10:00:00Z'],
      [null, 0, '2026-10-05T10:00:00Z'],
      ['suporte', 10, '2026-10-31T23:59:59.999Z'],
      ['suporte', 10, '2026-11-01T00:00:00Z'], // outside: `to` is exclusive
    ]
    for (const [department, score, when] of answers) {
      const { conversationId, contactId } = await conversation(database, 'awaiting_nps', department)
      const s = await planSurvey(database.db, { conversationId, contactId, resolvedSeq: 1, department, dueAt: at(when) })
      await markSurveySent(database.db, { id: s!.id, at: at(when), outboxId: null, expiresAt: at(when) })
      await recordSurveyScore(database.db, { id: s!.id, score, at: at(when) })
    }
    const range = { from: at('2026-10-01T00:00:00Z'), to: at('2026-11-01T00:00:00Z') }
    expect(await npsReport(database.db, range)).toEqual({
      responses: 6,
      promoters: 3,
      passives: 1,
      detractors: 2,
      nps: 17,
      byDepartment: [
        { department: 'financeiro', responses: 3, promoters: 2, passives: 0, detractors: 1, nps: 33 },
        { department: 'suporte', responses: 2, promoters: 1, passives: 1, detractors: 0, nps: 50 },
        { department: null, responses: 1, promoters: 0, passives: 0, detractors: 1, nps: -100 },
      ],
    })
    expect(await npsReport(database.db, { ...range, department: 'suporte' })).toMatchObject({ responses: 2, nps: 50, byDepartment: [{ department: 'suporte' }] })
    expect(await npsReport(database.db, { from: at('2020-01-01T00:00:00Z'), to: at('2020-02-01T00:00:00Z') })).toEqual({
      responses: 0,
      promoters: 0,
      passives: 0,
      detractors: 0,
      nps: null,
      byDepartment: [],
    })
  })
})
