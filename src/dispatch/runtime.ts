import type { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../config/index.js'
import { releaseAll } from '../lib/index.js'
import type { Dispatcher, Processors, QueueInspector } from '../queues/index.js'
import type { Db } from '../store/index.js'
import { createBullmqDispatcher } from './bullmq-dispatcher.js'
import { createBullmqInspector } from './bullmq-inspector.js'
import { createBullmqWorkers, type BullmqWorkers } from './bullmq-workers.js'
import { createInProcessRuntime } from './in-process.js'
import { redisOptions } from './redis-options.js'
import { createSwitchingRuntime, type RuntimeStatus } from './switching-runtime.js'

export interface Runtime {
  readonly dispatcher: Dispatcher
  /** The BullMQ queues the dispatcher produces to (the dashboard's bull-board); none in process. */
  readonly queues: readonly Queue[]
  /** What the queues hold (`/api/queue/metrics`, `atende_queue_jobs`): the cluster's on Redis, this process's in-process. */
  readonly inspector: QueueInspector
  /** Starts consuming with these processors (no-op for a producer-only process). */
  startWorkers(processors: Processors): void
  /** Forced shutdown: aborts running jobs. */
  abort(): void
  /** Stops consuming, waits for running jobs, closes connections. */
  close(): Promise<void>
  /** Resolves when no job runs or is ready (in-process runtime only; tests). */
  idle?(): Promise<void>
  /** What serves the queues now (`/readyz`). */
  status(): RuntimeStatus
  /** After a switch back to Redis, once the in-process runtime has drained (the reconciler's `catchUp`). */
  onSwitchedBack(listener: (since: Date) => Promise<unknown>): void
}

export interface RuntimeOptions {
  config: Pick<Config, 'redis' | 'queues'>
  log: Logger
  /** Whether this process consumes jobs (`serve`, `worker`) or only produces them (`api`). */
  consume: boolean
  /**
   * With Redis: serve from the database while Redis is unreachable (invariant 7). Without
   * it, BullMQ alone (tests of BullMQ's own behaviour through an outage).
   */
  failover?: { db: Db; workLeaseMs: number }
}

/**
 * BullMQ on Redis when Redis is configured, switching to the in-process runtime while Redis
 * is out (`switching-runtime.ts`); otherwise the in-process runtime over the same
 * processors. The dispatcher exists before the processors (they enqueue through it), hence
 * the two steps.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, log } = options
  if (config.redis === undefined) {
    const runtime = createInProcessRuntime({ processors: {}, queues: config.queues, log })
    return {
      dispatcher: runtime,
      queues: [],
      inspector: runtime,
      startWorkers: (processors) => runtime.start(processors),
      abort: runtime.abort,
      close: runtime.close,
      idle: runtime.idle,
      status: () => ({ mode: 'in-process', failedOver: false, switches: 0 }),
      onSwitchedBack: () => {},
    }
  }
  const redis = config.redis
  if (options.failover !== undefined) {
    const runtime = createSwitchingRuntime({ redis, queues: config.queues, log, consume: options.consume, ...options.failover })
    await runtime.start()
    return runtime
  }
  const producer = new Redis(redisOptions(redis, 'producer'))
  producer.on('error', (err) => log.warn({ err }, 'redis producer connection error'))
  const dispatcher = createBullmqDispatcher({ connection: producer, prefix: redis.prefix, queues: config.queues, log })
  let workers: BullmqWorkers | undefined
  return {
    dispatcher,
    queues: [...dispatcher.queues.values()],
    inspector: createBullmqInspector({ queues: dispatcher.queues, connection: producer, timeoutMs: redis.commandTimeoutMs }),
    startWorkers: (processors) => {
      if (!options.consume || workers !== undefined) return
      workers = createBullmqWorkers({ connection: redisOptions(redis, 'worker'), prefix: redis.prefix, queues: config.queues, processors, log })
    },
    abort: () => workers?.abort(),
    status: () => ({ mode: 'queues', failedOver: false, switches: 0 }),
    onSwitchedBack: () => {},
    // Released last first: workers, then the producer's queues, then its connection.
    // quit() needs Redis to answer; when it cannot, dropping the socket is all there is to do
    // (a connection left to reconnect would keep the process alive).
    close: () => releaseAll([() => producer.quit().catch(() => producer.disconnect()), () => dispatcher.close(), () => workers?.close()]),
  }
}
