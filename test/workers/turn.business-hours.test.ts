import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createBusinessCalendar, parseBusinessHours } from '../../src/domain/index.js'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, useWorkerSuite, type Harness } from './harness.js'

const ZONE = 'America/Sao_Paulo'
const ALERT_MS = 15 * 60_000
/** Sunday 6 December 2026, 10:00 in São Paulo: closed under mon-fri 08:00-18:00. */
const SUNDAY_10H = new Date('2026-12-06T13:00:00Z')
/** Monday 7 December 2026, 10:00 in São Paulo: open. */
const MONDAY_10H = new Date('2026-12-07T13:00:00Z')

describe.each(ENGINES)('turn: a hand-off and business hours (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  async function harness(at: Date): Promise<Harness> {
    const h = await suite.harness()
    const hours = parseBusinessHours('mon-fri 08:00-18:00')
    if (!hours.ok) throw new Error(hours.error)
    h.deps.handoff = {
      calendar: createBusinessCalendar(hours.hours, ZONE),
      timeZone: ZONE,
      language: 'pt-BR',
      closedMessage: suite.kb.messages.handoffClosed,
      alertMs: ALERT_MS,
    }
    h.clock.jumpTo(at)
    return h
  }

  const alertDueAt = async (id: number) =>
    (await queryRows<{ v: unknown }>(suite.database.db, sql`select handoff_alert_due_at as v from conversations where id = ${id}`))[0]!.v

  const sentTexts = (h: Harness) => h.sends().map((r) => (r.body as { text: { body: string } }).text.body)

  it('outside business hours answers messages.handoffClosed with the next opening, and waits', async () => {
    const h = await harness(SUNDAY_10H)
    const id = await h.burst('quero falar com um atendente')
    await h.turn(id)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1 })
    const [text] = sentTexts(h)
    expect(text).toContain('fora do horário de atendimento')
    expect(text).toContain('amanhã às 8h')
    // Counted in business time: 15 minutes after Monday's opening (08:15 in São Paulo).
    expect(new Date(await alertDueAt(id) as string)).toEqual(new Date('2026-12-07T11:15:00Z'))

    // What the customer writes while waiting gets no second notice.
    await h.burst('alô?')
    await h.turn(id)
    expect(h.sends()).toHaveLength(1)
  })

  it('inside business hours answers the knowledge base hand-off message; the alert is due 15 minutes later', async () => {
    const h = await harness(MONDAY_10H)
    const id = await h.burst('quero falar com um atendente')
    await h.turn(id)
    expect(sentTexts(h)).toEqual([suite.kb.messages.handoff])
    const due = new Date(await alertDueAt(id) as string).getTime()
    const handedOffAt = h.clock.now().getTime()
    expect(due - handedOffAt).toBeLessThanOrEqual(ALERT_MS)
    expect(due - handedOffAt).toBeGreaterThan(ALERT_MS - 60_000)
  })
})
