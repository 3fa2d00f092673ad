import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env)
  } catch (e) {
    if (e instanceof ConfigError) return e.problems
    throw e
  }
  return []
}

describe('lifecycle, NPS and business-hours settings', () => {
  it('default to the issue #9 values', () => {
    const c = loadConfig({})
    expect(c.nps).toEqual({ enabled: true, delayMs: 60_000, responseWindowMs: 86_400_000, minIntervalDays: 30, template: undefined })
    expect(c.lifecycle).toEqual({ idleMs: 1_800_000, handoffAlertMs: 900_000 })
    expect(c.businessHours).toEqual({ hours: undefined, timeZone: 'America/Sao_Paulo' })
  })

  it('reads every setting', () => {
    const c = loadConfig({
      NPS_ENABLED: 'false',
      NPS_DELAY_MS: '50',
      NPS_RESPONSE_WINDOW_MS: '1000',
      NPS_MIN_INTERVAL_DAYS: '0',
      NPS_TEMPLATE_NAME: 'pesquisa_atendimento_hoje',
      NPS_TEMPLATE_LANGUAGE: 'en_US',
      CONVERSATION_IDLE_MS: '0',
      HANDOFF_ALERT_MS: '60000',
      BUSINESS_HOURS: 'mon-fri 08:00-18:00; sat 08:00-12:00',
      BUSINESS_TIME_ZONE: 'America/Manaus',
    })
    expect(c.nps).toEqual({ enabled: false, delayMs: 50, responseWindowMs: 1000, minIntervalDays: 0, template: { name: 'pesquisa_atendimento_hoje', language: 'en_US' } })
    expect(c.lifecycle).toEqual({ idleMs: 0, handoffAlertMs: 60_000 })
    expect(c.businessHours.timeZone).toBe('America/Manaus')
    expect(c.businessHours.hours?.intervals).toHaveLength(6)
    expect(Object.isFrozen(c.businessHours.hours?.intervals[0])).toBe(true)
  })

  it.each([
    [{ BUSINESS_TIME_ZONE: 'America/Sao_Paolo' }, /^BUSINESS_TIME_ZONE: expected an IANA time zone/],
    [{ BUSINESS_HOURS: 'mon-fri 8-18' }, /^BUSINESS_HOURS: rule 1 \('mon-fri 8-18'\): '8-18' is not a time range/],
    [{ BUSINESS_HOURS: 'weekdays 08:00-18:00' }, /^BUSINESS_HOURS: rule 1 .*'weekdays' is not a day/],
    [{ NPS_ENABLED: 'yes' }, /^NPS_ENABLED: /],
    [{ NPS_TEMPLATE_NAME: 'Pesquisa NPS' }, /^NPS_TEMPLATE_NAME: expected a WhatsApp template name/],
    [{ NPS_TEMPLATE_LANGUAGE: 'pt-BR' }, /^NPS_TEMPLATE_LANGUAGE: expected a WhatsApp language code/],
    [{ NPS_RESPONSE_WINDOW_MS: '0' }, /^NPS_RESPONSE_WINDOW_MS: /],
    [{ NPS_MIN_INTERVAL_DAYS: '-1' }, /^NPS_MIN_INTERVAL_DAYS: /],
    [{ CONVERSATION_IDLE_MS: 'half an hour' }, /^CONVERSATION_IDLE_MS: /],
  ])('refuses %j with one problem that says why', (env, why) => {
    const p = problems(env as Record<string, string>)
    expect(p).toHaveLength(1)
    expect(p[0]).toMatch(why)
  })
})
