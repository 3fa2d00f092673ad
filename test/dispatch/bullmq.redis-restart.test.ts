import { setTimeout as delay } from 'node:timers/promises'
import { afterEach, describe, it } from 'vitest'
import { loadConfig, type Config } from '../../src/config/index.js'
import type { BullmqDispatcher } from '../../src/dispatch/bullmq-dispatcher.js'
import { createRuntime, type Runtime } from '../../src/dispatch/index.js'
import { QueueUnavailableError } from '../../src/errors.js'
import type { WakeUp } from '../../src/queues/index.js'
import { redisEnv, startRedisForTest, type RedisServer } from '../helpers/redis.js'
import { deferred, silentLog, within, type Deferred } from './helpers.js'

/** BullMQ's default `drainDelay` (seconds a worker blocks on an empty queue); our workers keep it. */
const DRAIN_DELAY_MS = 5_000

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

interface Fixture {
  server: RedisServer
  config: Config
  runtime: Runtime
  /** Resolves when the processor has seen this message id. */
  processed(messageId: number): Promise<void>
}

/** A private Redis, and the runtime as `atende serve` builds it: producer and workers. */
async function fixture(): Promise<Fixture> {
  const server = await startRedisForTest()
  const config = loadConfig(redisEnv(server))
  const runtime = await createRuntime({ config, log: silentLog, consume: true })
  cleanups.push(async () => {
    const queues = (runtime.dispatcher as BullmqDispatcher).queues
    // A test that failed mid-outage leaves Redis unreachable; the server is stopped next
    // anyway, and its keys with it.
    for (const q of queues.values()) await q.obliterate({ force: true }).catch(() => {})
    await runtime.close()
  })
  const seen = new Map<number, Deferred>()
  const slot = (id: number) => seen.get(id) ?? seen.set(id, deferred()).get(id)!
  runtime.startWorkers({
    'message-processing': async (w) => {
      slot(w.messageId).resolve()
    },
  })
  return { server, config, runtime, processed: (id) => within(slot(id).promise, 30_000, `message ${id} to be processed`) }
}

/**
 * Dispatches until the producer has reconnected: it fails fast with QueueUnavailableError
 * while it cannot reach Redis (by design), so a caller that must get through retries. The
 * pause between tries only spaces them out; the bound is the deadline.
 */
async function dispatchOnceReconnected(runtime: Runtime, wakeUps: WakeUp[], deadlineMs = 20_000): Promise<number> {
  const until = Date.now() + deadlineMs
  for (let tries = 1; ; tries++) {
    try {
      await runtime.dispatcher.dispatch(wakeUps)
      return tries
    } catch (err) {
      if (!(err instanceof QueueUnavailableError) || Date.now() > until) throw err
      await delay(100)
    }
  }
}

describe('BullMQ runtime across a Redis restart', () => {
  it('processes new work after Redis was down longer than the workers\' drainDelay and came back empty', async () => {
    const f = await fixture()
    await f.runtime.dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await f.processed(1)

    await f.server.kill()
    // The outage itself is the scenario: BullMQ 6.x before 6.2 left workers blocked for good
    // once Redis stayed away longer than drainDelay (DESIGN, "Facts worth knowing"). No event
    // marks "long enough"; only the clock does.
    await delay(DRAIN_DELAY_MS + 1_000)
    await f.server.start()

    const t0 = Date.now()
    const tries = await dispatchOnceReconnected(f.runtime, [{ queue: 'message-processing', messageId: 2 }])
    await f.processed(2)
    console.info(`long outage: producer got through after ${tries} tries; message processed ${Date.now() - t0} ms after Redis came back`)
  }, 90_000)

  it('processes new work after a short outage', async () => {
    const f = await fixture()
    await f.runtime.dispatcher.dispatch([{ queue: 'message-processing', messageId: 1 }])
    await f.processed(1)

    await f.server.kill()
    await f.server.start()

    const t0 = Date.now()
    await dispatchOnceReconnected(f.runtime, [{ queue: 'message-processing', messageId: 2 }])
    await f.processed(2)
    console.info(`short outage: message processed ${Date.now() - t0} ms after Redis came back`)
  }, 60_000)
})
