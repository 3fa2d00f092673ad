import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics, createJobStats, readQueueMetrics } from '../../src/ops/index.js'
import { QUEUE_NAMES } from '../../src/queues/index.js'
import { inboxBacklog, type Database } from '../../src/store/index.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
let clients = 0
const freshClient = () => `198.51.100.${++clients}`

describe('GET /api/queue/metrics', () => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp

  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    const metrics = createMetrics()
    const stats = createJobStats()
    // The app's runtime has no processors: what the webhook accepts stays due in the inbox.
    let runtime: WebhookApp['runtime'] | undefined
    w = await buildWebhookApp(database, {
      ops: {
        metrics,
        metricsToken: undefined,
        queueMetrics: () => readQueueMetrics({
          mode: 'in-process',
          inspector: runtime!,
          stats,
          webhookLatency: metrics.webhookLatency,
          inbox: () => inboxBacklog(database.db, new Date()),
        }),
      },
    })
    runtime = w.runtime
    for (const id of ['wamid.QM1', 'wamid.QM2']) expect((await w.app.inject(signedPost(webhookWith(textMessage(id, 'oi'))))).statusCode).toBe(200)
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  it('answers the issue\'s shape, every queue present, the inbox and the webhook counted', async () => {
    const res = await w.app.inject({ url: '/api/queue/metrics', headers: auth })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(Object.keys(body)).toEqual(['runtime', 'redis', 'queues', 'inbox', 'webhook'])
    expect(body.runtime).toBe('in-process')
    expect(body.redis).toEqual({ connected: false })
    expect(Object.keys(body.queues)).toEqual([...QUEUE_NAMES])
    for (const q of QUEUE_NAMES) {
      expect(Object.keys(body.queues[q])).toEqual(['waiting', 'active', 'delayed', 'completed', 'failed', 'retried', 'throughput', 'waitMs', 'processMs'])
    }
    // Two messages, one conversation: two wake-ups waiting (no processor runs them), one turn due.
    expect(body.queues['message-processing']).toMatchObject({ waiting: 2, active: 0, delayed: 0 })
    expect(body.inbox).toMatchObject({ unprocessed: 2, turnsDue: 1 })
    expect(body.inbox.oldestDueSeconds).toBeGreaterThanOrEqual(0)
    expect(body.webhook.count).toBe(2)
    expect(body.webhook.p50).toBeGreaterThan(0)
    expect(body.webhook.p99).toBeGreaterThanOrEqual(body.webhook.p50)
    expect(res.body).not.toContain('5511900000001')
  })

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer nope'],
    ['the metrics route\'s Basic scheme', `Basic ${ADMIN_TOKEN}`],
  ])('refuses %s with 401', async (_name, authorization) => {
    const res = await w.app.inject({ url: '/api/queue/metrics', headers: authorization === undefined ? {} : { authorization }, remoteAddress: freshClient() })
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('ATD_UNAUTHORIZED')
  })

  it('refuses any query string with 400', async () => {
    for (const url of ['/api/queue/metrics?queue=ai-response', '/api/queue/metrics?__proto__[x]=1', `/api/queue/metrics?q=${'%00'.repeat(500)}`]) {
      const res = await w.app.inject({ url, headers: auth })
      expect(res.statusCode, url).toBe(400)
      expect(res.json().code).toBe('ATD_BAD_REQUEST')
    }
  })

  it('answers only GET', async () => {
    const res = await w.app.inject({ method: 'DELETE', url: '/api/queue/metrics', headers: auth })
    expect(res.statusCode).toBe(404)
  })
})
