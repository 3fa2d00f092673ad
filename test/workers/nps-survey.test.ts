import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { WakeUp } from '../../src/queues/index.js'
import { listConversationEvents, queryRows } from '../../src/store/index.js'
import { createNpsSurveyProcessor, type LifecycleAlert, type LifecycleDeps } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, jobContext, sentText, useWorkerSuite, type Harness } from './harness.js'

const DELAY_MS = 60_000
const WINDOW_MS = 3_600_000
const IDLE_MS = 1_800_000

describe.each(ENGINES)('the conversation lifecycle and the NPS survey (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  async function lifecycleHarness(overrides: Partial<LifecycleDeps['nps']> = {}): Promise<{ h: Harness; alerts: LifecycleAlert[]; learned: number[] }> {
    const h = await suite.harness()
    const alerts: LifecycleAlert[] = []
    const learned: number[] = []
    const m = suite.kb.messages
    h.deps.lifecycle = {
      nps: { enabled: true, delayMs: DELAY_MS, responseWindowMs: WINDOW_MS, minIntervalDays: 0, template: undefined, ...overrides },
      idleMs: IDLE_MS,
      messages: { nps: m.nps, npsScoreAgain: m.npsScoreAgain, npsReason: m.npsReason, npsThanks: m.npsThanks, npsOptOut: m.npsOptOut },
      onAlert: (a) => void alerts.push(a),
      learning: { enqueueLearning: async (id) => void learned.push(id) },
    }
    return { h, alerts, learned }
  }

  const surveyWakeUps = (h: Harness, id: number) =>
    h.dispatcher.wakeUps.filter((w): w is Extract<WakeUp, { queue: 'nps-survey' }> => w.queue === 'nps-survey' && w.conversationId === id)
  const fire = (h: Harness, id: number) => createNpsSurveyProcessor(h.deps)({ queue: 'nps-survey', conversationId: id, runAt: h.clock.now() }, jobContext())
  const survey = async (id: number) =>
    (await queryRows<Record<string, unknown>>(suite.database.db, sql`select * from nps_surveys where conversation_id = ${id} order by id`))

  /** FAQ question → reply → "obrigado, era só isso" → resolved. */
  async function resolve(h: Harness): Promise<number> {
    const id = await h.burst('como faço pra pegar a segunda via do boleto?')
    await h.turn(id)
    await h.burst('obrigado, era só isso')
    await h.turn(id)
    return id
  }

  it('resolves on the closing cue, sends one survey after the delay, records score and reason, and closes', async () => {
    const { h, learned } = await lifecycleHarness()
    const id = await resolve(h)
    expect((await conversationRow(suite.database, id)).status).toBe('resolved')
    const [due] = surveyWakeUps(h, id).slice(-1)
    expect(due!.runAt.getTime()).toBe(h.clock.now().getTime() + DELAY_MS)
    expect(await fire(h, id)).toMatchObject({ reason: 'lifecycle timer not due yet' })
    expect(h.sends()).toHaveLength(2)

    h.clock.jumpTo(due!.runAt)
    await fire(h, id)
    expect(h.sends()).toHaveLength(3)
    expect(sentText(h.sends()[2]!)).toMatch(/de 0 a 10/)
    expect((await conversationRow(suite.database, id)).status).toBe('awaiting_nps')
    await fire(h, id)
    expect(h.sends()).toHaveLength(3)

    await h.burst('9')
    await h.turn(id)
    expect(sentText(h.sends()[3]!)).toBe(suite.kb.messages.npsReason)
    await h.burst('atendimento rápido')
    await h.turn(id)
    expect(sentText(h.sends()[4]!)).toBe(suite.kb.messages.npsThanks)
    expect((await conversationRow(suite.database, id)).status).toBe('closed')
    expect(await survey(id)).toMatchObject([{ score: 9, category: 'promoter', comment: 'atendimento rápido' }])
    expect((await listConversationEvents(suite.database.db, id)).map((e) => `${e.fromStatus}>${e.toStatus}:${e.cause}`)).toEqual([
      'open>resolved:closing_cue', 'resolved>awaiting_nps:survey_sent', 'awaiting_nps>closed:thanks',
    ])
    expect(learned).toEqual([id, id])
  })

  it('a message before the survey is due cancels it, and the conversation reopens', async () => {
    const { h } = await lifecycleHarness()
    const id = await resolve(h)
    await h.burst('e o wifi, como troco a senha?')
    await h.turn(id)
    expect((await conversationRow(suite.database, id)).status).toBe('open')
    h.clock.advance(DELAY_MS)
    await fire(h, id)
    expect(await survey(id)).toMatchObject([{ skipped_reason: 'customer_wrote', sent_at: null }])
    expect(h.sends().map(sentText).some((t) => /de 0 a 10/.test(t))).toBe(false)
  })

  it('a rating in words ("péssimo") gets the number asked for once, not "não entendi"; then the score counts', async () => {
    const { h } = await lifecycleHarness()
    const id = await resolve(h)
    h.clock.advance(DELAY_MS)
    await fire(h, id)
    await h.burst('péssimo')
    await h.turn(id)
    expect(sentText(h.sends().at(-1)!)).toBe(suite.kb.messages.npsScoreAgain)
    expect((await conversationRow(suite.database, id)).status).toBe('awaiting_nps')
    await h.burst('2')
    await h.turn(id)
    expect(sentText(h.sends().at(-1)!)).toBe(suite.kb.messages.npsReason)
    expect(await survey(id)).toMatchObject([{ score: 2, category: 'detractor' }])
  })

  it('asks for the number only once: words again are a message like any other', async () => {
    const { h } = await lifecycleHarness()
    const id = await resolve(h)
    h.clock.advance(DELAY_MS)
    await fire(h, id)
    await h.burst('muito bom')
    await h.turn(id)
    await h.burst('muito bom mesmo')
    await h.turn(id)
    expect(h.sends().map(sentText).filter((t) => t === suite.kb.messages.npsScoreAgain)).toHaveLength(1)
    expect((await conversationRow(suite.database, id)).status).toBe('open')
  })

  it('a second closing cue sends no second survey', async () => {
    const { h } = await lifecycleHarness()
    const id = await resolve(h)
    await h.burst('valeu, resolvido')
    await h.turn(id)
    h.clock.advance(DELAY_MS)
    await fire(h, id)
    await fire(h, id)
    expect(h.sends().map(sentText).filter((t) => /de 0 a 10/.test(t))).toHaveLength(1)
  })

  it('a detractor raises the alert hook without personal data; a question after the score is answered normally', async () => {
    const { h, alerts } = await lifecycleHarness()
    const id = await resolve(h)
    h.clock.advance(DELAY_MS)
    await fire(h, id)
    await h.burst('nota 3')
    await h.turn(id)
    expect(alerts).toEqual([{ kind: 'nps_detractor', conversationId: id, surveyId: expect.any(Number), score: 3 }])
    await h.burst('como troco a senha do wifi?')
    await h.turn(id)
    expect((await conversationRow(suite.database, id)).status).toBe('open')
    expect(await survey(id)).toMatchObject([{ score: 3, comment: null }])
  })

  it('outside the 24 h window sends the template when configured, else skips with the reason', async () => {
    for (const template of [undefined, { name: 'nps_atendimento', language: 'pt_BR' }]) {
      const { h } = await lifecycleHarness({ template })
      const id = await resolve(h)
      h.clock.advance(25 * 3_600_000)
      const before = h.sends().length
      await fire(h, id)
      if (template === undefined) {
        expect(h.sends()).toHaveLength(before)
        expect(await survey(id)).toMatchObject([{ skipped_reason: 'outside_window_no_template' }])
        expect((await conversationRow(suite.database, id)).status).toBe('closed')
      } else {
        expect(h.sends()).toHaveLength(before + 1)
        expect(h.sends().at(-1)!.body).toMatchObject({ type: 'template', template: { name: 'nps_atendimento', language: { code: 'pt_BR' } } })
        expect((await conversationRow(suite.database, id)).status).toBe('awaiting_nps')
      }
    }
  })

  it('a template refused as marketing over the per-user limit is skipped with the reason, never retried', async () => {
    const { h } = await lifecycleHarness({ template: { name: 'nps_atendimento', language: 'pt_BR' } })
    const id = await resolve(h)
    h.onGraph((r) => (r.kind === 'send' && (r.body as { type?: string }).type === 'template'
      ? { status: 400, body: { error: { message: 'limit', type: 'OAuthException', code: 131049 } } }
      : undefined))
    h.clock.advance(25 * 3_600_000)
    await fire(h, id)
    await fire(h, id)
    expect(await survey(id)).toMatchObject([{ skipped_reason: 'per_user_limit', sent_at: null }])
    expect(h.graph.requests.filter((r) => r.kind === 'send' && (r.body as { type?: string }).type === 'template')).toHaveLength(1)
  })

  it('an unanswered survey closes after NPS_RESPONSE_WINDOW_MS; "parar" opts out for good', async () => {
    const { h } = await lifecycleHarness()
    const id = await resolve(h)
    h.clock.advance(DELAY_MS)
    await fire(h, id)
    h.clock.advance(WINDOW_MS)
    await fire(h, id)
    expect((await conversationRow(suite.database, id)).status).toBe('closed')
    await h.burst('parar')
    await h.turn(id)
    expect(sentText(h.sends().at(-1)!)).toBe(suite.kb.messages.npsOptOut)
    const [contact] = await queryRows<{ nps_opted_out_at: unknown }>(suite.database.db, sql`select k.nps_opted_out_at from contacts k join conversations c on c.contact_id = k.id where c.id = ${id}`)
    expect(contact!.nps_opted_out_at).not.toBeNull()
  })

  it("the openai provider's resolved flag resolves the conversation and plans the survey", async () => {
    const { fake, ai } = await suite.openAi()
    const { h } = await lifecycleHarness()
    h.deps.ai = ai
    fake.script({ json: { department: null, reply: 'Que bom que deu certo!', resolved: true, handoff: false, confidence: 0.9 } })
    const id = await h.burst('funcionou aqui, pode encerrar')
    await h.turn(id)
    expect((await conversationRow(suite.database, id)).status).toBe('resolved')
    expect((await listConversationEvents(suite.database.db, id)).map((e) => e.cause)).toEqual(['closing_cue'])
    expect(await survey(id)).toMatchObject([{ resolved_seq: 1, sent_at: null }])
  })

  it('CONVERSATION_IDLE_MS after the bot answered with no reply resolves the conversation and plans the survey', async () => {
    const { h } = await lifecycleHarness()
    const id = await h.burst('como faço pra pegar a segunda via do boleto?')
    await h.turn(id)
    const [idle] = surveyWakeUps(h, id)
    expect(idle!.runAt.getTime()).toBe(h.clock.now().getTime() + IDLE_MS)
    h.clock.jumpTo(idle!.runAt)
    await fire(h, id)
    expect((await conversationRow(suite.database, id)).status).toBe('resolved')
    expect((await listConversationEvents(suite.database.db, id)).map((e) => e.cause)).toEqual(['idle_timeout'])
    expect(await survey(id)).toHaveLength(1)
  })
})
