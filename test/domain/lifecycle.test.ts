import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  acceptedEvents,
  CONVERSATION_STATUSES,
  createBusinessCalendar,
  handoffAlertDueAt,
  idleDueAt,
  parseBusinessHours,
  LIFECYCLE_EVENTS,
  transition,
  type ConversationStatus,
  type LifecycleEvent,
} from '../../src/domain/index.js'

const status = fc.constantFrom(...CONVERSATION_STATUSES)
const event = fc.constantFrom(...LIFECYCLE_EVENTS)

/** Applies events in order, skipping refused ones (as a stale timer would); returns each accepted step. */
function run(start: ConversationStatus, events: LifecycleEvent[]) {
  const steps: Array<{ from: ConversationStatus; to: ConversationStatus; cause: LifecycleEvent }> = []
  let s = start
  for (const e of events) {
    const t = transition(s, e)
    if (!t.ok) continue
    steps.push({ from: t.from, to: t.to, cause: t.cause })
    s = t.to
  }
  return { steps, end: s }
}

describe('conversation lifecycle', () => {
  it('walks the issue #9 happy path: open → resolved → awaiting_nps → closed', () => {
    const { steps, end } = run('open', ['customer_message', 'closing_cue', 'survey_sent', 'score', 'comment', 'thanks'])
    expect(steps.filter((s) => s.from !== s.to).map((s) => `${s.from}>${s.to}:${s.cause}`)).toEqual([
      'open>resolved:closing_cue',
      'resolved>awaiting_nps:survey_sent',
      'awaiting_nps>closed:thanks',
    ])
    expect(end).toBe('closed')
  })

  it.each([
    ['handoff', 'release', 'open'],
    ['handoff', 'agent_resolve', 'resolved'],
    ['open', 'agent_message', 'handoff'],
    ['open', 'idle_timeout', 'resolved'],
    ['resolved', 'customer_message', 'open'],
    ['closed', 'customer_message', 'open'],
    ['awaiting_nps', 'customer_message', 'open'],
    ['awaiting_nps', 'nps_window_expired', 'closed'],
    ['awaiting_nps', 'opt_out', 'closed'],
    ['resolved', 'survey_skipped', 'closed'],
  ] as const)('%s + %s → %s', (from, e, to) => {
    expect(transition(from, e)).toMatchObject({ ok: true, to, cause: e, changed: true })
  })

  it.each([
    ['open', 'release', 'ATD_CONVERSATION_NOT_IN_HANDOFF'],
    ['closed', 'release', 'ATD_CONVERSATION_NOT_IN_HANDOFF'],
    ['closed', 'agent_resolve', 'ATD_CONVERSATION_CLOSED'],
    ['awaiting_nps', 'survey_sent', 'ATD_CONVERSATION_WRONG_STATE'],
    ['open', 'score', 'ATD_CONVERSATION_WRONG_STATE'],
    ['open', 'nps_window_expired', 'ATD_CONVERSATION_WRONG_STATE'],
    ['handoff', 'idle_timeout', 'ATD_CONVERSATION_WRONG_STATE'],
  ] as const)('refuses %s + %s with %s', (from, e, code) => {
    const t = transition(from, e)
    expect(t).toMatchObject({ ok: false, code })
    expect(t.ok ? '' : t.message).toContain(`'${e}'`)
  })

  it('is total: every status and event gives a known status or a coded refusal', () => {
    fc.assert(
      fc.property(status, event, (s, e) => {
        const t = transition(s, e)
        if (t.ok) return CONVERSATION_STATUSES.includes(t.to) && t.changed === (t.to !== s) && t.cause === e
        return ['ATD_CONVERSATION_NOT_IN_HANDOFF', 'ATD_CONVERSATION_CLOSED', 'ATD_CONVERSATION_WRONG_STATE'].includes(t.code)
      }),
    )
  })

  it('accepts an event exactly when acceptedEvents lists it', () => {
    fc.assert(fc.property(status, event, (s, e) => transition(s, e).ok === acceptedEvents(s).includes(e)))
  })

  it('release is accepted only from handoff, and always gives the conversation back to the bot', () => {
    fc.assert(fc.property(status, (s) => {
      const t = transition(s, 'release')
      return s === 'handoff' ? t.ok && t.to === 'open' : !t.ok && t.code === 'ATD_CONVERSATION_NOT_IN_HANDOFF'
    }))
  })

  it('a person keeps the conversation until release or resolve, whatever the customer writes', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const { steps } = run('handoff', events)
        const firstExit = steps.findIndex((s) => s.from === 'handoff' && s.to !== 'handoff')
        return firstExit === -1 || ['release', 'agent_resolve'].includes(steps[firstExit]!.cause)
      }),
    )
  })

  it('never asks twice: awaiting_nps is entered only by a survey sent from resolved', () => {
    fc.assert(
      fc.property(status, fc.array(event, { maxLength: 60 }), (start, events) =>
        run(start, events).steps.every((s) => s.to !== 'awaiting_nps' || s.from === 'awaiting_nps' || (s.from === 'resolved' && s.cause === 'survey_sent')),
      ),
    )
  })

  it('closes only after the survey step: thanks, opt-out, expiry or a skipped survey', () => {
    fc.assert(
      fc.property(status, fc.array(event, { maxLength: 60 }), (start, events) =>
        run(start, events).steps.every(
          (s) => s.to !== 'closed' || s.from === 'closed' || ['thanks', 'opt_out', 'nps_window_expired', 'survey_skipped'].includes(s.cause),
        ),
      ),
    )
  })

  it('a customer message gives a conversation the bot has back to normal handling', () => {
    fc.assert(fc.property(status, (s) => {
      const t = transition(s, 'customer_message')
      return t.ok && t.to === (s === 'handoff' ? 'handoff' : 'open')
    }))
  })

  it('an agent message always ends with a person owning the conversation', () => {
    fc.assert(fc.property(status, (s) => {
      const t = transition(s, 'agent_message')
      return t.ok && t.to === 'handoff'
    }))
  })
})

describe('lifecycle due times', () => {
  it('idle resolution is CONVERSATION_IDLE_MS after the last answer, never with 0', () => {
    expect(idleDueAt(new Date('2026-11-30T12:00:00Z'), 30 * 60_000)?.toISOString()).toBe('2026-11-30T12:30:00.000Z')
    expect(idleDueAt(new Date('2026-11-30T12:00:00Z'), 0)).toBeNull()
  })

  it('the hand-off alert counts business time: 17:55 Friday + 15 min is 08:10 Saturday in São Paulo', () => {
    const hours = parseBusinessHours('mon-fri 08:00-18:00; sat 08:00-12:00')
    if (!hours.ok) throw new Error(hours.error)
    const calendar = createBusinessCalendar(hours.hours, 'America/Sao_Paulo')
    expect(handoffAlertDueAt(new Date('2026-12-04T20:55:00Z'), 15 * 60_000, calendar)?.toISOString()).toBe('2026-12-05T11:10:00.000Z')
    expect(handoffAlertDueAt(new Date('2026-12-04T20:55:00Z'), 0, calendar)).toBeNull()
  })
})
