/**
 * `/api/queue/metrics` against a known workload on both runtimes: the same jobs, the same
 * outcomes, the same figures (issue #11).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, type QueueName, type QueueSettings } from '../../src/config/index.js'
import { createInProcessRuntime, createRuntime, type Runtime } from '../../src/dispatch/index.js'
import { AtendeError } from '../../src/errors.js'
import { createAlerts, createJobStats, createMetrics, instrumentProcessors, readQueueMetrics, type QueueMetricsBody } from '../../src/ops/index.js'
import { classifyFailure, QUEUE_NAMES, type Processors, type WakeUp } from '../../src/queues/index.js'
import { deferred, queueSettings, silentLog, within } from '../dispatch/helpers.js'
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js'
import { redisEnv, useRedisServer } from '../helpers/redis.js'

const redis = useRedisServer()
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

type Overrides = Partial<Record<QueueName, Partial<QueueSettings>>>
const OVERRIDES: Overrides = {
  'message-processing': { backoffMs: 1 },
  'ai-response': { attempts: 3, backoffMs: 1, limiterMax: 0 },
  'image-analysis': { attempts: 2, backoffMs: 1 },
}

/** The runtimes, each with what main gives it: the runtime and its inspector. */
const RUNTIMES: Array<[string, () => Promise<Pick<Runtime, 'dispatcher' | 'inspector' | 'startWorkers' | 'close' | 'abort'>>]> = [
  ['in-process', async () => {
    const r = createInProcessRuntime({ queues: queueSettings(OVERRIDES), log: silentLog })
    return { dispatcher: r, inspector: r, startWorkers: (p: Processors) => r.start(p), close: r.close, abort: r.abort }
  }],
  ['bullmq', async () => {
    const config = loadConfig(redisEnv(redis.server))
    return createRuntime({ config: { redis: config.redis, queues: queueSettings(OVERRIDES) }, log: silentLog, consume: true })
  }],
]

class Permanent extends AtendeError {
  constructor() {
    super('ATD_TEST_PERMANENT', 500, 'this job can never succeed', { retryable: false })
  }
}
class Transient extends AtendeError {
  constructor() {
    super('ATD_TEST_TRANSIENT', 503, 'try again', { retryable: true })
  }
}

describe.each(RUNTIMES)('queue metrics of a known workload (%s)', (name, make) => {
  it('counts each queue exactly and bounds its percentiles', async () => {
    const runtime = await make()
    cleanups.push(async () => {
      runtime.abort()
      await runtime.close()
    })
    const metrics = createMetrics()
    const stats = createJobStats()
    const alerts = createAlerts({ log: silentLog, webhookUrl: undefined, cooldownMs: 0 })
    // 6 + 4 + 1 runs end (completed or failed for good); the test waits for all of them.
    let ended = 0
    const allEnded = deferred()
    const end = () => {
      if (++ended === 11) allEnded.resolve()
    }
    const processors: Processors = {
      'message-processing': async () => end(),
      'ai-response': async (w, ctx) => {
        // Conversation 1 fails for good; 2 fails once then completes; 3 and 4 complete.
        if (w.conversationId === 1) {
          end()
          throw new Permanent()
        }
        if (w.conversationId === 2 && ctx.attempt === 1) throw new Transient()
        end()
      },
      'image-analysis': async (_w, ctx) => {
        if (ctx.attempt === ctx.maxAttempts) end()
        throw new Transient()
      },
    }
    runtime.startWorkers(instrumentProcessors(processors, { metrics, alerts, stats, isFinal: (err) => classifyFailure(err) === 'final' }))
    const now = new Date()
    const wakeUps: WakeUp[] = [
      ...[1, 2, 3, 4, 5, 6].map((messageId) => ({ queue: 'message-processing' as const, messageId })),
      ...[1, 2, 3, 4].map((conversationId) => ({ queue: 'ai-response' as const, conversationId, runAt: now })),
      { queue: 'image-analysis', messageId: 7 },
    ]
    await runtime.dispatcher.dispatch(wakeUps)
    await within(allEnded.promise, 20_000, 'every job to end')
    // The runtime records a job's end after the processor returns: wait until nothing is held.
    let body: QueueMetricsBody
    for (let polls = 0; ; polls++) {
      if (polls > 500) throw new Error('the runtime did not record every job\'s end within 10 s')
      body = await readQueueMetrics({
        mode: runtime.dispatcher.mode,
        inspector: runtime.inspector,
        stats,
        webhookLatency: metrics.webhookLatency,
        inbox: async () => ({ unprocessed: 0, turnsDue: 0, oldestDueSeconds: null }),
      })
      const q = body.queues
      if (q['message-processing'].completed === 6 && q['ai-response'].completed + q['ai-response'].failed === 4 && q['image-analysis'].failed === 1) break
      await new Promise((r) => setTimeout(r, 20))
    }
    console.info(`queue metrics (${name}): ${JSON.stringify(body)}`)
    expect(body.runtime).toBe(name === 'bullmq' ? 'queues' : 'in-process')
    expect(body.redis).toEqual({ connected: name === 'bullmq' })
    expect(Object.keys(body.queues)).toEqual([...QUEUE_NAMES])
    const pick = (q: QueueName) => {
      const { waiting, active, delayed, completed, failed, retried } = body.queues[q]
      return { waiting, active, delayed, completed, failed, retried }
    }
    expect(pick('message-processing')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 6, failed: 0, retried: 0 })
    expect(pick('ai-response')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 3, failed: 1, retried: 1 })
    expect(pick('image-analysis')).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 1, retried: 1 })
    for (const q of ['nps-survey', 'learning-tasks'] as const) {
      expect(body.queues[q]).toEqual({
        waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, retried: 0,
        throughput: { '1m': 0, '5m': 0, '15m': 0 },
        waitMs: { p50: null, p95: null, p99: null },
        processMs: { p50: null, p95: null, p99: null },
      })
    }
    // Six completions within the last 15 minutes, whatever minute boundary fell between them.
    expect(body.queues['message-processing'].throughput['15m']).toBe(0.4)
    expect(body.queues['ai-response'].throughput['15m']).toBe(0.2)
    for (const q of ['message-processing', 'ai-response', 'image-analysis'] as const) {
      const { waitMs, processMs } = body.queues[q]
      for (const p of [waitMs, processMs]) {
        expect(p.p50).not.toBeNull()
        expect(p.p50!).toBeLessThanOrEqual(p.p95!)
        expect(p.p95!).toBeLessThanOrEqual(p.p99!)
        expect(p.p99!).toBeLessThan(20_000)
      }
    }
    const { samples, errors } = parsePrometheusText(await metrics.render())
    expect(errors).toEqual([])
    expect(sampleValue(samples, 'atende_jobs_completed_total', { queue: 'message-processing' })).toBe(6)
    expect(sampleValue(samples, 'atende_jobs_failed_total', { queue: 'ai-response' })).toBe(1)
  })
})
