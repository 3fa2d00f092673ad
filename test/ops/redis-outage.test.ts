import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { createRuntime } from '../../src/dispatch/index.js'
import { createAlerts, createJobStats, createMetrics, createRedisWatch, readQueueMetrics, type AlertBody } from '../../src/ops/index.js'
import { QUEUE_NAMES } from '../../src/queues/index.js'
import { queueSettings, silentLog } from '../dispatch/helpers.js'
import { startFakeReceiver, type FakeReceiver } from '../helpers/fake-receiver.js'
import { redisEnv, useRedisServer } from '../helpers/redis.js'

const COMMAND_TIMEOUT_MS = 300

describe('Redis killed and started again', () => {
  const redis = useRedisServer()
  let receiver: FakeReceiver
  beforeAll(async () => {
    receiver = await startFakeReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
  })

  it('alerts "lost" then "back", and the queue metrics answer meanwhile within the command timeout', async () => {
    const config = loadConfig(redisEnv(redis.server, { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) }))
    const runtime = await createRuntime({ config: { redis: config.redis, queues: queueSettings() }, log: silentLog, consume: false })
    const alerts = createAlerts({ log: silentLog, webhookUrl: receiver.url, cooldownMs: 600_000, backoffMs: 20, attempts: 3 })
    const watch = createRedisWatch({ connected: runtime.inspector.connected, alerts, intervalMs: 25 })
    const read = () => readQueueMetrics({
      mode: runtime.dispatcher.mode,
      inspector: runtime.inspector,
      stats: createJobStats(),
      webhookLatency: createMetrics().webhookLatency,
      inbox: async () => ({ unprocessed: 0, turnsDue: 0, oldestDueSeconds: null }),
    })
    const started = performance.now()
    const timeline: string[] = []
    const mark = (what: string) => timeline.push(`${Math.round(performance.now() - started)} ms ${what}`)
    try {
      await runtime.dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
      expect((await read()).queues['message-processing'].waiting).toBe(1)
      mark('redis up, 1 job waiting')
      // The watch has to have seen Redis up before it can call it lost; its first tick may not
      // have come yet on a fast machine, so it reads the state now.
      watch.check()

      await redis.server.kill()
      mark('redis killed')
      const [lost] = await receiver.waitForPosts(1)
      mark(`alert ${(lost!.json as AlertBody).alert}`)
      const asked = performance.now()
      const during = await read()
      const tookMs = performance.now() - asked
      mark(`queue metrics answered in ${Math.round(tookMs)} ms, redis.connected=${during.redis.connected}`)
      expect(during.redis).toEqual({ connected: false })
      expect(Object.keys(during.queues)).toEqual([...QUEUE_NAMES])
      expect(tookMs).toBeLessThan(COMMAND_TIMEOUT_MS * 3)

      await redis.server.start()
      mark('redis started (empty)')
      const [, back] = await receiver.waitForPosts(2)
      mark(`alert ${(back!.json as AlertBody).alert}`)
      expect(receiver.posts.map((p) => (p.json as AlertBody).alert)).toEqual(['redis_lost', 'redis_back'])
      expect(receiver.posts.map((p) => (p.json as AlertBody).severity)).toEqual(['critical', 'warning'])
      expect((await read()).redis).toEqual({ connected: true })
      console.info(`Redis outage timeline:\n  ${timeline.join('\n  ')}`)
    } finally {
      await watch.close()
      await alerts.close()
      await runtime.close()
    }
  })
})
