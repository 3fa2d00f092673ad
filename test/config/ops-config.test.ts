import { describe, expect, it } from 'vitest'
import { configWarnings, isMetricsOpenOnPublic, loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

const PROD = { NODE_ENV: 'production', WHATSAPP_APP_SECRET: 's' }
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env)
    return []
  } catch (err) {
    return (err as ConfigError).problems
  }
}

describe('operations configuration', () => {
  it('has the issue\'s defaults', () => {
    const ops = loadConfig({}).ops
    expect(ops).toEqual({
      metrics: { token: undefined, port: undefined },
      alerts: { webhookUrl: undefined, cooldownMs: 600_000, backlog: 1_000, backlogSeconds: 300, handoffAlertMs: 900_000, retentionDays: 30 },
      events: undefined,
    })
  })

  it('refuses events without their signing secret, and a secret without a URL', () => {
    expect(problems({ EVENTS_WEBHOOK_URL: 'https://crm.example/hook' })).toEqual([expect.stringMatching(/^EVENTS_WEBHOOK_SECRET: required/)])
    expect(problems({ EVENTS_WEBHOOK_SECRET: 'x' })).toEqual([expect.stringMatching(/^EVENTS_WEBHOOK_SECRET: has no effect/)])
    expect(loadConfig({ EVENTS_WEBHOOK_URL: 'https://crm.example/hook', EVENTS_WEBHOOK_SECRET: 'k' }).ops.events?.secret.reveal()).toBe('k')
  })

  it('refuses URLs that are not http(s), and a METRICS_PORT taken by another listener', () => {
    expect(problems({ ALERT_WEBHOOK_URL: 'file:///etc/passwd' })).toEqual([expect.stringMatching(/^ALERT_WEBHOOK_URL: expected a URL/)])
    expect(problems({ METRICS_PORT: '3000' })).toEqual([expect.stringMatching(/^METRICS_PORT: must differ from PORT \(3000\)/)])
    expect(problems({ METRICS_PORT: '3001', ADMIN_PORT: '3001' })).toEqual([expect.stringMatching(/^METRICS_PORT: must differ from ADMIN_PORT \(3001\)/)])
  })

  it('in production, refuses a short METRICS_TOKEN and serves /metrics on PORT only with a token', () => {
    expect(problems({ ...PROD, METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be at least 32/)])
    const prod = loadConfig(PROD)
    expect(isMetricsOpenOnPublic(prod)).toBe(false)
    expect(configWarnings(prod)).toContainEqual(expect.stringMatching(/^METRICS_TOKEN is not set/))
    expect(configWarnings(loadConfig({ ...PROD, ADMIN_PORT: '3001' })).some((w) => w.startsWith('METRICS_TOKEN'))).toBe(false)
    expect(isMetricsOpenOnPublic(loadConfig({}))).toBe(true)
    expect(isMetricsOpenOnPublic(loadConfig({ METRICS_TOKEN: 'x'.repeat(32) }))).toBe(false)
  })
})
