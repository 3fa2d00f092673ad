import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CONVERSATION_STATUSES,
  CUSTOMER_SERVICE_WINDOW_MS,
  decideSurvey,
  isInsideWindow,
  SURVEY_SKIP_REASONS,
  surveyRefusal,
  WINDOW_SAFETY_MS,
  type SurveyDecisionInput,
} from '../../src/domain/index.js'

const NOW = new Date('2026-11-30T12:00:00Z')
const HOUR = 3_600_000
const DAY = 24 * HOUR
const ago = (ms: number) => new Date(NOW.getTime() - ms)
const TEMPLATE = { name: 'pesquisa_atendimento_hoje', language: 'pt_BR' }

const base: SurveyDecisionInput = {
  now: NOW,
  enabled: true,
  status: 'resolved',
  lastSeq: 4,
  resolvedSeq: 4,
  lastCustomerMessageAt: ago(2 * 60_000),
  optedOutAt: null,
  lastSurveyedAt: null,
  minIntervalDays: 30,
  template: undefined,
}

describe('decideSurvey', () => {
  it('sends the plain-text survey inside the 24 h window', () => {
    expect(decideSurvey(base)).toEqual({ kind: 'text' })
  })

  it.each([
    ['NPS_ENABLED=false', { enabled: false }, 'disabled'],
    ['the customer wrote since', { lastSeq: 5 }, 'customer_wrote'],
    ['a person took it', { status: 'handoff' as const }, 'conversation_moved'],
    ['an opt-out', { optedOutAt: ago(300 * DAY) }, 'opted_out'],
    ['a survey 29 days ago', { lastSurveyedAt: ago(29 * DAY) }, 'surveyed_recently'],
    ['outside the window without a template', { lastCustomerMessageAt: ago(25 * HOUR) }, 'outside_window_no_template'],
    ['no customer message at all', { lastCustomerMessageAt: null }, 'outside_window_no_template'],
  ])('skips with %s', (_name, change, reason) => {
    expect(decideSurvey({ ...base, ...change })).toEqual({ kind: 'skip', reason })
  })

  it('surveys again once NPS_MIN_INTERVAL_DAYS have passed, and always with 0', () => {
    expect(decideSurvey({ ...base, lastSurveyedAt: ago(30 * DAY) })).toEqual({ kind: 'text' })
    expect(decideSurvey({ ...base, lastSurveyedAt: ago(HOUR), minIntervalDays: 0 })).toEqual({ kind: 'text' })
  })

  it('outside the window sends the approved template when one is set', () => {
    expect(decideSurvey({ ...base, lastCustomerMessageAt: ago(25 * HOUR), template: TEMPLATE })).toEqual({ kind: 'template', ...TEMPLATE })
  })

  it('never sends free-form text outside the window, whatever else holds', () => {
    const input = fc.record({
      enabled: fc.boolean(),
      status: fc.constantFrom(...CONVERSATION_STATUSES),
      lastSeq: fc.integer({ min: 0, max: 10 }),
      resolvedSeq: fc.integer({ min: 0, max: 10 }),
      sinceCustomer: fc.option(fc.integer({ min: 0, max: 3 * DAY })),
      optedOut: fc.boolean(),
      sinceSurvey: fc.option(fc.integer({ min: 0, max: 90 * DAY })),
      minIntervalDays: fc.integer({ min: 0, max: 60 }),
      template: fc.option(fc.constant(TEMPLATE), { nil: undefined }),
    })
    fc.assert(
      fc.property(input, (i) => {
        const d = decideSurvey({
          now: NOW,
          enabled: i.enabled,
          status: i.status,
          lastSeq: i.lastSeq,
          resolvedSeq: i.resolvedSeq,
          lastCustomerMessageAt: i.sinceCustomer === null ? null : ago(i.sinceCustomer),
          optedOutAt: i.optedOut ? ago(DAY) : null,
          lastSurveyedAt: i.sinceSurvey === null ? null : ago(i.sinceSurvey),
          minIntervalDays: i.minIntervalDays,
          template: i.template,
        })
        const inside = i.sinceCustomer !== null && i.sinceCustomer < CUSTOMER_SERVICE_WINDOW_MS - WINDOW_SAFETY_MS
        if (d.kind === 'text' && !inside) return false
        if (d.kind === 'template' && (inside || i.template === undefined)) return false
        if (d.kind !== 'skip' && (!i.enabled || i.optedOut || i.status !== 'resolved' || i.lastSeq > i.resolvedSeq)) return false
        return d.kind !== 'skip' || SURVEY_SKIP_REASONS.includes(d.reason)
      }),
    )
  })

  it('does not start a free-form survey in the window\'s last minute', () => {
    expect(isInsideWindow(ago(CUSTOMER_SERVICE_WINDOW_MS - WINDOW_SAFETY_MS - 1), NOW)).toBe(true)
    expect(isInsideWindow(ago(CUSTOMER_SERVICE_WINDOW_MS - WINDOW_SAFETY_MS), NOW)).toBe(false)
  })
})

describe('surveyRefusal', () => {
  it.each([
    [131049, 'per_user_limit'],
    [131050, 'opted_out'],
    [131047, 'outside_window'],
    [132000, 'template_refused'],
    [132001, 'template_refused'],
    [132015, 'template_refused'],
    [130429, undefined],
    [131056, undefined],
    [131000, undefined],
    [undefined, undefined],
  ])('Meta error %s → %s', (code, reason) => {
    expect(surveyRefusal(code)).toBe(reason)
  })
})
