import { once } from 'node:events'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { QUEUE_NAMES, loadConfig, type Config } from '../../src/config/index.js'
import { createBullmqDispatcher, type BullmqDispatcher } from '../../src/dispatch/bullmq-dispatcher.js'
import { createBullmqWorkers } from '../../src/dispatch/bullmq-workers.js'
import { redisOptions } from '../../src/dispatch/index.js'
import type { WakeUp } from '../../src/queues/index.js'
import { AtendeError, QueueUnavailableError } from '../../src/errors.js'
import { redisEnv, startRedisForTest, useRedisServer, type RedisServer } from '../helpers/redis.js'
import { silentLog, within } from './helpers.js'

const redis = useRedisServer()

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function configFor(server: RedisServer, env: Record<string, string> = {}): Config {
  return loadConfig(redisEnv(server, env))
}

/** A producer as the runtime builds it: its own connection with the producer's options. */
async function producerFor(config: Config, options: { obliterate?: boolean } = {}) {
  const connection = new Redis(redisOptions(config.redis!, 'producer'))
  connection.on('error', () => {})
  const dispatcher = createBullmqDispatcher({ connection, prefix: config.redis!.prefix, queues: config.queues, log: silentLog })
  cleanups.push(async () => {
    if (options.obliterate !== false) {
      for (const q of dispatcher.queues.values()) await q.obliterate({ force: true })
    }
    await dispatcher.close()
    await connection.quit().catch(() => connection.disconnect())
  })
  await within(Promise.all([...dispatcher.queues.values()].map((q) => q.waitUntilReady())), 5_000, 'the queues')
  return { connection, dispatcher }
}

function queue(dispatcher: BullmqDispatcher, name: (typeof QUEUE_NAMES)[number]) {
  return dispatcher.queues.get(name)!
}

describe('BullMQ dispatcher', () => {
  it('gives every job its queue\'s attempts, exponential backoff and retention', async () => {
    const config = configFor(redis.server, {
      QUEUE_MESSAGE_PROCESSING_ATTEMPTS: '3', QUEUE_MESSAGE_PROCESSING_BACKOFF_MS: '250',
      QUEUE_AI_RESPONSE_ATTEMPTS: '5', QUEUE_AI_RESPONSE_BACKOFF_MS: '1500',
      QUEUE_IMAGE_ANALYSIS_ATTEMPTS: '2', QUEUE_NPS_SURVEY_BACKOFF_MS: '40', QUEUE_LEARNING_TASKS_ATTEMPTS: '1',
    })
    const { dispatcher } = await producerFor(config)
    const runAt = new Date(Date.now() + 60_000)
    await dispatcher.dispatch([
      { queue: 'message-processing', messageId: 1 },
      { queue: 'image-analysis', messageId: 1 },
      { queue: 'ai-response', conversationId: 2, runAt },
      { queue: 'nps-survey', conversationId: 2, runAt },
      { queue: 'learning-tasks', conversationId: 2 },
    ])
    for (const name of QUEUE_NAMES) {
      const jobs = await queue(dispatcher, name).getJobs(['waiting', 'delayed'])
      expect(jobs, name).toHaveLength(1)
      const s = config.queues[name]
      expect(jobs[0]!.opts, name).toMatchObject({
        attempts: s.attempts,
        backoff: { type: 'exponential', delay: s.backoffMs },
        removeOnComplete: { age: expect.any(Number), count: expect.any(Number) },
        removeOnFail: { age: expect.any(Number), count: expect.any(Number) },
      })
    }
  })

  it('puts ids only in the jobs', async () => {
    const { dispatcher } = await producerFor(configFor(redis.server))
    const runAt = new Date(Date.now() + 60_000)
    await dispatcher.dispatch([
      { queue: 'message-processing', messageId: 11 },
      { queue: 'image-analysis', messageId: 12 },
      { queue: 'ai-response', conversationId: 13, runAt },
      { queue: 'nps-survey', conversationId: 14, runAt },
      { queue: 'learning-tasks', conversationId: 15 },
    ])
    const data = await Promise.all(
      QUEUE_NAMES.map(async (name) => (await queue(dispatcher, name).getJobs(['waiting', 'delayed'])).map((j) => j.data)),
    )
    expect(data).toEqual([
      [{ messageId: 11 }], [{ conversationId: 13 }], [{ messageId: 12 }], [{ conversationId: 14 }], [{ conversationId: 15 }],
    ])
  })

  it('adds nothing when the same message is dispatched again while its job waits', async () => {
    const { dispatcher } = await producerFor(configFor(redis.server))
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 21 }])
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 21 }])
    const q = queue(dispatcher, 'message-processing')
    expect(await q.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 1, delayed: 0, active: 0 })
    expect((await q.getJobs(['waiting'])).map((j) => j.id)).toEqual(['msg-21'])
  })

  it('moves a pending delayed turn to the new due time instead of adding a second job', async () => {
    const { dispatcher } = await producerFor(configFor(redis.server))
    const q = queue(dispatcher, 'ai-response')
    const turn = (ms: number): WakeUp => ({ queue: 'ai-response', conversationId: 31, runAt: new Date(Date.now() + ms) })

    await dispatcher.dispatch([turn(600_000)])
    const [first] = await q.getDelayed()
    expect(first!.delay).toBeGreaterThan(590_000)

    await dispatcher.dispatch([turn(20_000)])
    const jobs = await q.getDelayed()
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.id).toBe(first!.id)
    expect(jobs[0]!.delay).toBeGreaterThan(10_000)
    expect(jobs[0]!.delay).toBeLessThanOrEqual(20_000)
    expect(await q.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 1 })
  })

  it('revives a job sitting in failed when asked to, where a plain dispatch is a silent no-op', async () => {
    const config = configFor(redis.server)
    const { dispatcher } = await producerFor(config)
    const workers = createBullmqWorkers({
      connection: redisOptions(config.redis!, 'worker'), prefix: config.redis!.prefix, queues: config.queues, log: silentLog,
      processors: { 'message-processing': async () => { throw new AtendeError('X', 400, 'no', { retryable: false }) } },
    })
    cleanups.push(() => workers.close())
    const worker = workers.workers.get('message-processing')!
    const failed = once(worker, 'failed', { signal: AbortSignal.timeout(10_000) })
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 41 }])
    await failed
    await workers.close()
    const q = queue(dispatcher, 'message-processing')
    expect(await q.getJobState('msg-41')).toBe('failed')

    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 41 }])
    expect(await q.getJobState('msg-41')).toBe('failed')
    expect(await q.getJobCounts('waiting', 'failed')).toEqual({ waiting: 0, failed: 1 })

    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 41 }, { queue: 'message-processing', messageId: 42 }], { revive: true })
    expect(await q.getJobState('msg-41')).toBe('waiting')
    expect(await q.getJobCounts('waiting', 'failed')).toEqual({ waiting: 2, failed: 0 })
  })
})

describe('BullMQ dispatcher when Redis is unavailable', () => {
  // Each test breaks a Redis of its own (startRedisForTest); nothing is left to obliterate
  // on a server that is stopped afterwards.
  it('rejects fast with QueueUnavailableError when Redis is down', async () => {
    const server = await startRedisForTest()
    const config = configFor(server)
    const { connection, dispatcher } = await producerFor(config, { obliterate: false })
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])

    const closed = once(connection, 'close', { signal: AbortSignal.timeout(5_000) })
    await server.kill()
    await closed
    const t0 = performance.now()
    const err = await dispatcher.dispatch([{ queue: 'message-processing', messageId: 2 }]).catch((e: unknown) => e)
    const elapsed = performance.now() - t0
    expect(err).toBeInstanceOf(QueueUnavailableError)
    expect(err).toMatchObject({ code: 'ATD_QUEUE_UNAVAILABLE', retryable: true })
    // Refused, not hung: no waiting for the command timeout.
    expect(elapsed).toBeLessThan(config.redis!.commandTimeoutMs)
    console.info(`producer call against a Redis that is down rejected after ${elapsed.toFixed(0)} ms`)
  })

  it('rejects within about REDIS_COMMAND_TIMEOUT_MS when Redis was down before the producer ever connected', async () => {
    // BullMQ waits for the connection's first `ready` before any command, with no bound of its own.
    const server = await startRedisForTest()
    await server.kill()
    const config = configFor(server, { REDIS_COMMAND_TIMEOUT_MS: '500' })
    const connection = new Redis(redisOptions(config.redis!, 'producer'))
    connection.on('error', () => {})
    const dispatcher = createBullmqDispatcher({ connection, prefix: config.redis!.prefix, queues: config.queues, log: silentLog })
    cleanups.push(async () => {
      connection.disconnect()
      await dispatcher.close().catch(() => {})
    })
    const t0 = performance.now()
    const err = await within(dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }]).catch((e: unknown) => e), 10_000, 'the producer call to give up')
    const elapsed = performance.now() - t0
    expect(err).toMatchObject({ code: 'ATD_QUEUE_UNAVAILABLE' })
    expect(elapsed).toBeLessThan(config.redis!.commandTimeoutMs + 1_500)
    console.info(`producer call before any connection rejected after ${elapsed.toFixed(0)} ms (REDIS_COMMAND_TIMEOUT_MS ${config.redis!.commandTimeoutMs})`)

    // Once Redis is there, the same producer connects and takes work.
    await server.start()
    if (connection.status !== 'ready') await within(once(connection, 'ready'), 10_000, 'the producer to connect')
    await within(dispatcher.dispatch([{ queue: 'message-processing', messageId: 2 }]), 5_000, 'a dispatch after Redis came up')
  })

  it('rejects within about REDIS_COMMAND_TIMEOUT_MS when Redis hangs', async () => {
    const server = await startRedisForTest()
    const config = configFor(server, { REDIS_COMMAND_TIMEOUT_MS: '500' })
    const { dispatcher } = await producerFor(config, { obliterate: false })
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])

    server.pause()
    // Before closing the producer (registered earlier, so run later): a stopped server
    // would leave QUIT unanswered.
    cleanups.push(async () => server.resume())
    for (const wakeUps of [
      [{ queue: 'message-processing', messageId: 2 }],
      [{ queue: 'ai-response', conversationId: 3, runAt: new Date() }],
    ] satisfies WakeUp[][]) {
      const t0 = performance.now()
      const err = await within(dispatcher.dispatch(wakeUps).catch((e: unknown) => e), 10_000, 'the producer call to give up')
      const elapsed = performance.now() - t0
      expect(err).toBeInstanceOf(QueueUnavailableError)
      expect(elapsed).toBeGreaterThanOrEqual(config.redis!.commandTimeoutMs - 50)
      expect(elapsed).toBeLessThan(config.redis!.commandTimeoutMs + 1_500)
      console.info(`producer call (${wakeUps[0]!.queue}) against a hung Redis rejected after ${elapsed.toFixed(0)} ms (REDIS_COMMAND_TIMEOUT_MS ${config.redis!.commandTimeoutMs})`)
    }
    server.resume()
    // Back from the pause, the same producer works again.
    await within(dispatcher.dispatch([{ queue: 'message-processing', messageId: 4 }]), 5_000, 'a dispatch after resume')
  })
})
