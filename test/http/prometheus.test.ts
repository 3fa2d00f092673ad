import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { createApps, createMetricsApp } from '../../src/http/index.js'
import { loggerOptions } from '../../src/log/index.js'
import { createMetrics, type Metrics } from '../../src/ops/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js'
import { buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef'
/** The personal data of the test's deliveries: none of it may appear in the metrics. */
const PERSONAL = ['5511900000001', 'Cliente Um', 'Meu CPF é 123.456.789-09', 'wamid.PROM']
const log = pino(loggerOptions('silent'))

describe('GET /metrics (Prometheus)', () => {
  let t: TestDatabase
  let database: Database
  let metrics: Metrics
  let open: WebhookApp
  let production: WebhookApp
  let withToken: WebhookApp

  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    metrics = createMetrics()
    open = await buildWebhookApp(database, { ops: { metrics, metricsToken: undefined, metricsOpenOnPublic: true } })
    production = await buildWebhookApp(database, { ops: { metrics: createMetrics(), metricsToken: undefined, metricsOpenOnPublic: false } })
    withToken = await buildWebhookApp(database, { ops: { metrics: createMetrics(), metricsToken: secret(METRICS_TOKEN) } })
    for (const [i, text] of ['oi', PERSONAL[2]!].entries()) {
      const res = await open.app.inject(signedPost(webhookWith(textMessage(`${PERSONAL[3]}${i}`, text))))
      expect(res.statusCode).toBe(200)
    }
    const forged = await open.app.inject({ ...signedPost(webhookWith(textMessage('wamid.PROMX', 'x'))), headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } })
    expect(forged.statusCode).toBe(401)
  })
  afterAll(async () => {
    for (const w of [open, production, withToken]) await w?.close()
    await database?.close()
    await t?.drop()
  })

  it('serves valid Prometheus text with the webhook counted by status', async () => {
    const res = await open.app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const { samples, errors, types } = parsePrometheusText(res.body)
    expect(errors).toEqual([])
    expect(sampleValue(samples, 'atende_webhook_requests_total', { status: '200' })).toBe(2)
    expect(sampleValue(samples, 'atende_webhook_requests_total', { status: '401' })).toBe(1)
    expect(types.get('atende_webhook_duration_seconds')).toBe('histogram')
    expect(sampleValue(samples, 'atende_webhook_duration_seconds_count')).toBe(3)
    expect(sampleValue(samples, 'atende_webhook_duration_seconds_bucket', { le: '+Inf' })).toBe(3)
    for (const queue of ['message-processing', 'ai-response', 'image-analysis', 'nps-survey', 'learning-tasks']) {
      expect(sampleValue(samples, 'atende_jobs_completed_total', { queue })).toBe(0)
      expect(sampleValue(samples, 'atende_jobs_failed_total', { queue })).toBe(0)
    }
    for (const name of ['atende_replies_sent_total', 'atende_handoffs_total', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds']) {
      expect(sampleValue(samples, name), name).toBeTypeOf('number')
    }
    expect(sampleValue(samples, 'atende_nps_responses_total', { category: 'detractor' })).toBe(0)
    expect(sampleValue(samples, 'atende_images_analysed_total', { outcome: 'read' })).toBe(0)
  })

  it('carries no personal data of the deliveries it counted', async () => {
    const body = (await open.app.inject({ url: '/metrics' })).body
    for (const needle of PERSONAL) expect(body).not.toContain(needle)
  })

  it('counts no health check or admin call as a webhook delivery', async () => {
    await open.app.inject({ url: '/healthz' })
    await open.app.inject({ url: '/webhooks/whatsapp?hub.mode=subscribe' })
    const { samples } = parsePrometheusText(await metrics.render())
    expect(sampleValue(samples, 'atende_webhook_duration_seconds_count')).toBe(3)
  })

  it('refuses any query string with 400, counting nothing', async () => {
    for (const url of ['/metrics?name[]=x', '/metrics?a=1', `/metrics?${'x'.repeat(4_000)}=1`, '/metrics?__proto__=1&constructor=2']) {
      const res = await open.app.inject({ url })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().code).toBe('ATD_BAD_REQUEST')
    }
  })

  it('answers 401 on the public listener in production without METRICS_TOKEN', async () => {
    const res = await production.app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toMatchObject({ code: 'ATD_UNAUTHORIZED' })
    expect(res.body).not.toContain('atende_')
  })

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer not-the-metrics-token'],
    ['the token with a suffix', `Bearer ${METRICS_TOKEN}x`],
    ['the Basic scheme', `Basic ${METRICS_TOKEN}`],
  ])('with METRICS_TOKEN set, answers 401 to %s', async (_name, authorization) => {
    const res = await withToken.app.inject({ url: '/metrics', headers: authorization === undefined ? {} : { authorization } })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('ATD_UNAUTHORIZED')
  })

  it('with METRICS_TOKEN set, serves the metrics to its bearer', async () => {
    const res = await withToken.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(res.statusCode).toBe(200)
    expect(parsePrometheusText(res.body).errors).toEqual([])
  })

  it('in production without a token, serves the metrics on the admin listener only', async () => {
    const apps = await createApps({
      log,
      ingest: open.ingest,
      whatsapp: { appSecret: secret('s'), verifyToken: undefined },
      health: { pingDatabase: database.ping, databaseEngine: database.engine, runtimeMode: 'in-process', timeoutMs: 1_000, warnings: [] },
      db: database.db,
      adminToken: secret('admin-token'),
      separateAdminListener: true,
      privacy: { exportCustomer: async () => ({}), eraseCustomer: async () => ({}) } as never,
      ops: { metrics: createMetrics(), metricsToken: undefined, metricsOpenOnPublic: false },
      dispatcher: open.runtime,
      surveyDelayMs: undefined,
    })
    try {
      expect((await apps.public.inject({ url: '/metrics' })).statusCode).toBe(401)
      const res = await apps.admin!.inject({ url: '/metrics' })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('atende_webhook_requests_total')
    } finally {
      await apps.public.close()
      await apps.admin!.close()
    }
  })

  it('the Grafana dashboard in docs/ queries only metrics that exist', async () => {
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8')
    const used = new Set([...dashboard.matchAll(/\b((?:atende|process|nodejs)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')))
    const { types } = parsePrometheusText(await createMetrics().render())
    expect([...used].filter((name) => !types.has(name))).toEqual([])
    expect([...used].filter((n) => n.startsWith('atende_')).sort()).toEqual([...types.keys()].filter((n) => n.startsWith('atende_')).sort())
  })

  it('METRICS_PORT serves /metrics and /healthz, and nothing else', async () => {
    const app = await createMetricsApp({ log, metrics: createMetrics(), metricsToken: undefined })
    try {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200)
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
      const other = await app.inject({ url: '/api/conversations' })
      expect(other.statusCode).toBe(404)
      expect(other.json().code).toBe('ATD_NOT_FOUND')
    } finally {
      await app.close()
    }
  })
})
