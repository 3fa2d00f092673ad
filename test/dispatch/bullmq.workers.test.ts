import { once } from 'node:events'
import { QueueEvents, type ConnectionOptions, type Job, type Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, type Config, type QueueName } from '../../src/config/index.js'
import { createBullmqDispatcher, type BullmqDispatcher } from '../../src/dispatch/bullmq-dispatcher.js'
import { createBullmqWorkers } from '../../src/dispatch/bullmq-workers.js'
import { redisOptions } from '../../src/dispatch/index.js'
import { AtendeError } from '../../src/errors.js'
import type { JobContext, ProcessorResult, Processors, WakeUp } from '../../src/queues/index.js'
import { redisEnv, useRedisServer } from '../helpers/redis.js'
import { deferred, silentLog, untilEvent, within } from './helpers.js'

const redis = useRedisServer()

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface Call {
  wakeUp: WakeUp
  ctx: Pick<JobContext, 'attempt' | 'maxAttempts'>
}

/** A producer and the workers of one test, on a fresh prefix; everything is obliterated and closed after it. */
async function setup(env: Record<string, string>, processors: Processors) {
  const config: Config = loadConfig(redisEnv(redis.server, env))
  const connection = new Redis(redisOptions(config.redis!, 'producer'))
  const dispatcher = createBullmqDispatcher({ connection, prefix: config.redis!.prefix, queues: config.queues, log: silentLog })
  cleanups.push(async () => {
    for (const q of dispatcher.queues.values()) await q.obliterate({ force: true })
    await dispatcher.close()
    await connection.quit()
  })
  const workers = createBullmqWorkers({
    connection: redisOptions(config.redis!, 'worker'), prefix: config.redis!.prefix, queues: config.queues, processors, log: silentLog,
  })
  cleanups.push(() => workers.close())
  await Promise.all([...workers.workers.values()].map((w) => w.waitUntilReady()))
  return { config, dispatcher, workers }
}

/** A test processor implementing the port: records each call and does what `behave` says. */
function recorder(behave: (n: number) => Promise<ProcessorResult> | ProcessorResult = () => undefined) {
  const calls: Call[] = []
  const processor = async (wakeUp: WakeUp, ctx: JobContext) => {
    calls.push({ wakeUp, ctx: { attempt: ctx.attempt, maxAttempts: ctx.maxAttempts } })
    return behave(calls.length)
  }
  return { calls, processor }
}

/** Resolves with the job once the worker emits `event` for it with `attemptsMade` reached. */
async function jobEvent(worker: Worker, event: 'failed' | 'completed', attemptsMade: number): Promise<Job> {
  const [job] = await untilEvent<[Job]>(worker, event, (j) => j.attemptsMade >= attemptsMade)
  return job
}

function queueOf(dispatcher: BullmqDispatcher, name: QueueName) {
  return dispatcher.queues.get(name)!
}

/** What the jobs look like in Redis; what both runtimes must do is test/queues/runtime-conformance.test.ts. */
describe('BullMQ workers', () => {
  it('moves a job to delayed at retryAt without burning an attempt, and runs it again', async () => {
    const first = deferred()
    const { calls, processor } = recorder((n) => {
      if (n === 1) {
        first.resolve()
        // Far away: the test promotes the job itself once it has seen it delayed.
        return { retryAt: new Date(Date.now() + 600_000), reason: 'debounce' }
      }
    })
    const { config, dispatcher, workers } = await setup({}, { 'message-processing': processor })
    const events = new QueueEvents('message-processing', { connection: redisOptions(config.redis!, 'worker') as ConnectionOptions, prefix: config.redis!.prefix })
    cleanups.push(() => events.close())
    await events.waitUntilReady()
    const delayed = once(events, 'delayed', { signal: AbortSignal.timeout(10_000) })

    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await within(first.promise, 10_000, 'the first run')
    await delayed
    const q = queueOf(dispatcher, 'message-processing')
    const job = (await q.getJob('msg-1'))!
    expect(await job.getState()).toBe('delayed')
    expect(job.attemptsMade).toBe(0)

    const completed = jobEvent(workers.workers.get('message-processing')!, 'completed', 0)
    await job.promote()
    await completed
    expect(calls.map((c) => c.ctx.attempt)).toEqual([1, 1])
  })

  it('fails a job at once on a non-retryable AtendeError', async () => {
    const { calls, processor } = recorder(() => {
      throw new AtendeError('X', 400, 'no', { retryable: false })
    })
    const { dispatcher, workers } = await setup(
      { QUEUE_MESSAGE_PROCESSING_ATTEMPTS: '4', QUEUE_MESSAGE_PROCESSING_BACKOFF_MS: '10' },
      { 'message-processing': processor },
    )
    const failed = jobEvent(workers.workers.get('message-processing')!, 'failed', 1)
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
    const job = await failed
    expect(job.attemptsMade).toBe(1)
    expect(job.failedReason).toBe('no')
    expect(await queueOf(dispatcher, 'message-processing').getJobState('msg-1')).toBe('failed')
    expect(calls).toHaveLength(1)
  })

  it('retries a retryable failure up to attempts, then fails the job', async () => {
    const { calls, processor } = recorder(() => {
      throw new AtendeError('ATD_TEST_FLAKY', 503, 'flaky', { retryable: true })
    })
    const { dispatcher, workers } = await setup(
      { QUEUE_MESSAGE_PROCESSING_ATTEMPTS: '3', QUEUE_MESSAGE_PROCESSING_BACKOFF_MS: '10' },
      { 'message-processing': processor },
    )
    const failed = jobEvent(workers.workers.get('message-processing')!, 'failed', 3)
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
    const job = await failed
    expect(job.attemptsMade).toBe(3)
    expect(await queueOf(dispatcher, 'message-processing').getJobState('msg-1')).toBe('failed')
    expect(calls.map((c) => c.ctx)).toEqual([
      { attempt: 1, maxAttempts: 3 }, { attempt: 2, maxAttempts: 3 }, { attempt: 3, maxAttempts: 3 },
    ])
  })
})
