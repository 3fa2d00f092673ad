import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAlerts, createOpsMonitor, type AlertBody } from '../../src/ops/index.js'
import { QUEUE_NAMES, type JobCounts, type QueueName } from '../../src/queues/index.js'
import { claimScheduledRun, findWaitingHandoffs, type Database } from '../../src/store/index.js'
import { silentLog } from '../dispatch/helpers.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { startFakeReceiver, type FakeReceiver } from '../helpers/fake-receiver.js'
import { buildWebhookApp, signedPost } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

const counts = (waiting: Partial<Record<QueueName, number>>) =>
  Object.fromEntries(QUEUE_NAMES.map((q) => [q, { waiting: waiting[q] ?? 0, active: 0, delayed: 0, completed: 0, failed: 0 }])) as Record<QueueName, JobCounts>

describe('ops monitor', () => {
  let t: TestDatabase
  let database: Database
  let receiver: FakeReceiver
  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
    receiver = await startFakeReceiver()
    const w = await buildWebhookApp(database)
    expect((await w.app.inject(signedPost(webhookWith(textMessage('wamid.MON1', 'quero falar com um atendente')))))).toMatchObject({ statusCode: 200 })
    await w.close()
    // The turn handed it to a person 20 minutes ago (the status and time the turn writes).
    await database.db.execute(sql`update conversations set status = 'handoff', updated_at = now() - interval '20 minutes'`)
  })
  afterAll(async () => {
    await receiver?.close()
    await database?.close()
    await t?.drop()
  })

  it('raises handoff_waiting and queue_backlog once per condition within the cool-down', async () => {
    let clock = Date.now()
    let waiting: Partial<Record<QueueName, number>> = { 'ai-response': 5_000 }
    const alerts = createAlerts({ log: silentLog, webhookUrl: receiver.url, cooldownMs: 600_000, now: () => clock })
    const monitor = createOpsMonitor({
      alerts,
      log: silentLog,
      claim: (at) => claimScheduledRun(database.db, 'ops-monitor', at, 0),
      waitingHandoffs: (before) => findWaitingHandoffs(database.db, before, 100),
      queueCounts: async () => counts(waiting),
      handoffAlertMs: 15 * 60_000,
      backlog: 1_000,
      backlogSeconds: 60,
      intervalMs: 3_600_000,
      now: () => new Date(clock),
    })
    try {
      expect(await monitor.runOnce()).toBe(true) // the backlog starts now: no alert for it yet
      clock += 30_000
      await monitor.runOnce()
      clock += 30_000
      await monitor.runOnce() // 60 s above the threshold
      clock += 30_000
      await monitor.runOnce() // still above, within the cool-down
      waiting = {}
      clock += 30_000
      await monitor.runOnce()
      await receiver.waitForPosts(2)
      await alerts.drained()
      const bodies = receiver.posts.map((p) => p.json as AlertBody)
      expect(bodies.map((b) => b.alert)).toEqual(['handoff_waiting', 'queue_backlog'])
      expect(bodies[0]!.details).toMatchObject({ waitingMinutes: 20 })
      expect(bodies[1]!.details).toEqual({ subject: 'ai-response', queue: 'ai-response', waiting: 5_000, threshold: 1_000, forSeconds: 60 })
      expect(JSON.stringify(bodies)).not.toContain('5511900000001')
    } finally {
      await monitor.close()
      await alerts.close()
    }
  })
})
