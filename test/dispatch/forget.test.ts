import { once } from 'node:events'
import { Worker, type ConnectionOptions } from 'bullmq'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, type Config } from '../../src/config/index.js'
import { createBullmqDispatcher, type BullmqDispatcher } from '../../src/dispatch/bullmq-dispatcher.js'
import { createInProcessRuntime, redisOptions } from '../../src/dispatch/index.js'
import { jobKey, type Dispatcher, type WakeUp } from '../../src/queues/index.js'
import { QueueUnavailableError } from '../../src/errors.js'
import type { Processors } from '../../src/queues/index.js'
import { redisEnv, startRedisForTest, useRedisServer, type RedisServer } from '../helpers/redis.js'
import { queueSettings, silentLog, within } from './helpers.js'

const redis = useRedisServer()

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** One runtime under the port's contract: what it still holds, as wake-up keys. */
interface Subject {
  dispatcher: Dispatcher
  /** The keys of the wake-ups still stored (BullMQ) or run once started (in-process). */
  remaining(): Promise<string[]>
}

async function inProcess(): Promise<Subject> {
  const runtime = createInProcessRuntime({ queues: queueSettings(), log: silentLog })
  cleanups.push(() => runtime.close())
  return {
    dispatcher: runtime,
    async remaining() {
      // Nothing ran so far (no processors); what runs once they are there is what was kept.
      const ran: string[] = []
      const record = async (w: WakeUp) => void ran.push(jobKey(w))
      const processors: Processors = {
        'message-processing': record, 'image-analysis': record, 'ai-response': record, 'nps-survey': record, 'learning-tasks': record,
      }
      runtime.start(processors)
      await within(runtime.idle(), 5_000, 'the in-process runtime to run what it kept')
      return ran.sort()
    },
  }
}

function configFor(server: RedisServer, env: Record<string, string> = {}): Config {
  return loadConfig(redisEnv(server, env))
}

async function producer(config: Config): Promise<BullmqDispatcher> {
  const connection = new Redis(redisOptions(config.redis!, 'producer'))
  connection.on('error', () => {})
  const dispatcher = createBullmqDispatcher({ connection, prefix: config.redis!.prefix, queues: config.queues, log: silentLog })
  cleanups.push(async () => {
    // A test that stopped its Redis has nothing left to obliterate.
    for (const q of dispatcher.queues.values()) await q.obliterate({ force: true }).catch(() => {})
    await dispatcher.close().catch(() => {})
    await connection.quit().catch(() => connection.disconnect())
  })
  return dispatcher
}

async function bullmq(): Promise<Subject> {
  const dispatcher = await producer(configFor(redis.server))
  return {
    dispatcher,
    async remaining() {
      const keys: string[] = []
      for (const [name, queue] of dispatcher.queues) {
        for (const job of await queue.getJobs()) keys.push(jobKey({ queue: name, ...job.data, runAt: new Date() } as WakeUp))
      }
      return keys.sort()
    },
  }
}

const now = () => new Date()
const wakeUps = (): WakeUp[] => [
  { queue: 'message-processing', messageId: 10 },
  { queue: 'message-processing', messageId: 11 },
  { queue: 'image-analysis', messageId: 10 },
  { queue: 'ai-response', conversationId: 1, runAt: now() },
  { queue: 'ai-response', conversationId: 2, runAt: now() },
  { queue: 'nps-survey', conversationId: 1, runAt: now() },
  { queue: 'learning-tasks', conversationId: 1 },
]

describe.each([['in-process', inProcess], ['BullMQ', bullmq]] as const)('forget on the %s runtime', (_name, subject) => {
  it('removes every wake-up of the given conversations and messages, and only those', async () => {
    const s = await subject()
    await s.dispatcher.dispatch(wakeUps())
    expect(await s.dispatcher.forget({ conversationIds: [1], messageIds: [10] })).toBe(5)
    expect(await s.remaining()).toEqual(['ai-response-2', 'msg-11'])
  })

  it('removes nothing, and says so, for rows without jobs', async () => {
    const s = await subject()
    await s.dispatcher.dispatch(wakeUps())
    expect(await s.dispatcher.forget({ conversationIds: [99], messageIds: [98] })).toBe(0)
    expect(await s.dispatcher.forget({ conversationIds: [], messageIds: [] })).toBe(0)
    expect(await s.remaining()).toHaveLength(wakeUps().length)
  })
})

describe('forget on BullMQ', () => {
  it('removes the finished jobs of those rows too: a failed job keeps its error in Redis for a week', async () => {
    const config = configFor(redis.server, { QUEUE_MESSAGE_PROCESSING_ATTEMPTS: '1' })
    const dispatcher = await producer(config)
    const worker = new Worker('message-processing', async () => {
      throw new Error('scripted failure')
    }, { connection: redisOptions(config.redis!, 'worker') as ConnectionOptions, prefix: config.redis!.prefix })
    cleanups.push(() => worker.close())
    const failed = once(worker, 'failed')
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 12 }])
    await within(failed, 10_000, 'the job to fail')
    const queue = dispatcher.queues.get('message-processing')!
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 1 })

    expect(await dispatcher.forget({ conversationIds: [], messageIds: [12] })).toBe(1)
    expect(await queue.getJobCounts('failed')).toEqual({ failed: 0 })
  })

  it('rejects with QueueUnavailableError when Redis cannot be reached', async () => {
    const server = await startRedisForTest()
    const dispatcher = await producer(configFor(server, { REDIS_COMMAND_TIMEOUT_MS: '300' }))
    await dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await server.kill()
    const err = await within(dispatcher.forget({ conversationIds: [1], messageIds: [1] }).catch((e: unknown) => e), 10_000, 'forget to give up')
    expect(err).toBeInstanceOf(QueueUnavailableError)
  })
})
