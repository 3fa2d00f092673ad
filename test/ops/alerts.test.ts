import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALERT_RULES, createAlerts, type AlertRule, type Alerts } from '../../src/ops/index.js'
import { capturedLog } from '../helpers/captured-log.js'
import { startFakeReceiver, type FakeReceiver } from '../helpers/fake-receiver.js'

describe('alerts', () => {
  let receiver: FakeReceiver
  let alerts: Alerts | undefined
  let clock: number
  const now = () => clock

  beforeEach(async () => {
    receiver = await startFakeReceiver()
    clock = Date.parse('2026-11-30T12:00:00.000Z')
  })
  afterEach(async () => {
    await alerts?.close()
    await receiver.close()
  })

  it('POSTs each rule once per cool-down, with the Slack-compatible body', async () => {
    const { log, lines } = capturedLog()
    alerts = createAlerts({ log, webhookUrl: receiver.url, cooldownMs: 600_000, now })
    const rules = Object.keys(ALERT_RULES) as AlertRule[]
    for (const rule of rules) {
      expect(alerts.raise(rule, { subject: 'ai-response', details: { count: 3 } })).toBe(true)
      expect(alerts.raise(rule, { subject: 'ai-response', details: { count: 4 } })).toBe(false)
    }
    const posts = await receiver.waitForPosts(rules.length)
    await alerts.drained()
    expect(receiver.posts).toHaveLength(rules.length)
    expect(posts.map((p) => p.json)).toEqual(
      rules.map((rule) => ({
        text: `${ALERT_RULES[rule].text} (ai-response)`,
        alert: rule,
        severity: ALERT_RULES[rule].severity,
        at: '2026-11-30T12:00:00.000Z',
        details: { subject: 'ai-response', count: 3 },
      })),
    )
    for (const p of posts) expect(p.headers['content-type']).toBe('application/json')
    const logged = lines.filter((l) => l.event === 'alert')
    expect(logged.map((l) => l.alert)).toEqual(rules)
    expect(logged[0]).toMatchObject({ alert: 'redis_lost', severity: 'critical', level: 50, details: { subject: 'ai-response', count: 3 } })
  })

  it('fires again for another subject, and for the same one once the cool-down has passed', async () => {
    alerts = createAlerts({ log: pino({ level: 'silent' }), webhookUrl: receiver.url, cooldownMs: 600_000, now })
    expect(alerts.raise('queue_backlog', { subject: 'ai-response' })).toBe(true)
    expect(alerts.raise('queue_backlog', { subject: 'image-analysis' })).toBe(true)
    clock += 599_999
    expect(alerts.raise('queue_backlog', { subject: 'ai-response' })).toBe(false)
    clock += 1
    expect(alerts.raise('queue_backlog', { subject: 'ai-response' })).toBe(true)
    const posts = await receiver.waitForPosts(3)
    expect(posts.map((p) => (p.json as { details: { subject: string } }).details.subject)).toEqual(['ai-response', 'image-analysis', 'ai-response'])
  })

  it('never lets "Redis lost" and "Redis back" suppress each other', async () => {
    alerts = createAlerts({ log: pino({ level: 'silent' }), webhookUrl: receiver.url, cooldownMs: 600_000, now })
    expect(alerts.raise('redis_lost')).toBe(true)
    expect(alerts.raise('redis_back')).toBe(true)
    expect(alerts.raise('redis_lost')).toBe(false)
    const posts = await receiver.waitForPosts(2)
    expect(posts.map((p) => (p.json as { alert: string }).alert)).toEqual(['redis_lost', 'redis_back'])
  })

  it('retries a POST the receiver refuses, with the same body, without making raise() wait', async () => {
    let calls = 0
    receiver.answer(() => (++calls <= 2 ? 503 : 200))
    alerts = createAlerts({ log: pino({ level: 'silent' }), webhookUrl: receiver.url, cooldownMs: 0, backoffMs: 20, now })
    const started = performance.now()
    alerts.raise('job_failed', { subject: 'ai-response', details: { code: 'ATD_AI_PROVIDER' } })
    // raise() queued the POST and returned: nothing has reached the receiver yet.
    expect(receiver.posts).toHaveLength(0)
    expect(performance.now() - started).toBeLessThan(50)
    const posts = await receiver.waitForPosts(3)
    await alerts.drained()
    expect(posts.map((p) => p.status)).toEqual([503, 503, 200])
    expect(new Set(posts.map((p) => p.raw.toString()))).toHaveLength(1)
  })

  it('delivers, in order, what was raised while the receiver was down', async () => {
    await receiver.down()
    const { log, logged } = capturedLog()
    alerts = createAlerts({ log, webhookUrl: receiver.url, cooldownMs: 0, attempts: 50, backoffMs: 10, now })
    alerts.raise('quarantine', { subject: '1' })
    alerts.raise('quarantine', { subject: '2' })
    await logged((l) => l.msg === 'alert webhook unreachable' && l.attempt === 2)
    expect(receiver.posts).toHaveLength(0)
    await receiver.up()
    const posts = await receiver.waitForPosts(2)
    expect(posts.map((p) => (p.json as { details: { subject: string } }).details.subject)).toEqual(['1', '2'])
  })

  it('gives up after its attempts, logs it, and goes on with the next alert', async () => {
    const { log, lines } = capturedLog()
    receiver.answer((post) => ((post.json as { alert: string }).alert === 'webhook_5xx' ? 500 : 200))
    alerts = createAlerts({ log, webhookUrl: receiver.url, cooldownMs: 0, attempts: 3, backoffMs: 1, now })
    alerts.raise('webhook_5xx', { subject: '500' })
    alerts.raise('meta_rate_limit', { subject: '130429' })
    await receiver.waitForPosts(4)
    await alerts.drained()
    expect(receiver.posts.map((p) => p.status)).toEqual([500, 500, 500, 200])
    expect(lines.some((l) => l.msg === 'alert webhook: gave up after every attempt' && l.alert === 'webhook_5xx')).toBe(true)
  })

  it('keeps a bounded queue when the receiver stays down, dropping the oldest', async () => {
    const { log, lines } = capturedLog()
    await receiver.down()
    alerts = createAlerts({ log, webhookUrl: receiver.url, cooldownMs: 0, attempts: 1_000, backoffMs: 5, maxQueued: 3, now })
    for (let i = 0; i < 5; i++) alerts.raise('handoff_waiting', { subject: String(i) })
    expect(lines.filter((l) => l.msg === 'alert webhook: queue full, oldest alert dropped')).toHaveLength(2)
    await alerts.close()
    expect(lines.some((l) => l.msg === 'alert webhook: alerts not delivered before shutdown')).toBe(true)
    expect(alerts.raise('handoff_waiting', { subject: 'late' })).toBe(false)
  })

  it('logs alerts without a webhook configured', () => {
    const { log, lines } = capturedLog()
    alerts = createAlerts({ log, webhookUrl: undefined, cooldownMs: 600_000, now })
    expect(alerts.raise('redis_lost', { details: { runtime: 'in-process' } })).toBe(true)
    expect(lines).toEqual([expect.objectContaining({ event: 'alert', alert: 'redis_lost', severity: 'critical', level: 50 })])
  })
})
