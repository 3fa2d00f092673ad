import { DelayedError, MetricsTime, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq'
import type { RedisOptions } from 'ioredis'
import type { Logger } from 'pino'
import { createRepeatGate, linkSignal, releaseTogether } from '../lib/index.js'
import { CONNECTION_ERROR_LOG_INTERVAL_MS } from './redis-options.js'
import {
  classifyFailure, logFailure, QUEUE_NAMES, type Processor, type Processors, type QueueName, type QueueSettings, type WakeUp,
} from '../queues/index.js'

export interface BullmqWorkersOptions {
  /** Worker connection options (see `redisOptions(config, 'worker')`); each worker owns its connections. */
  connection: RedisOptions
  prefix: string
  queues: Readonly<Record<QueueName, QueueSettings>>
  processors: Processors
  log: Logger
}

export interface BullmqWorkers {
  readonly workers: ReadonlyMap<QueueName, Worker>
  /** Cuts running jobs short (forced shutdown). */
  abort(): void
  /** Stops taking jobs and waits for the running ones. */
  close(): Promise<void>
}

/** A job stalls only if its lock lapses several times; turns are fenced in the database anyway. */
const MAX_STALLED_COUNT = 3

export function createBullmqWorkers(options: BullmqWorkersOptions): BullmqWorkers {
  const abort = new AbortController()
  const workers = new Map<QueueName, Worker>()
  // Every worker reports each failed reconnect while Redis is refused: one line a minute, with the count held back.
  const connectionErrors = createRepeatGate(CONNECTION_ERROR_LOG_INTERVAL_MS)
  for (const name of QUEUE_NAMES) {
    const processor = options.processors[name] as Processor<QueueName> | undefined
    if (processor === undefined) continue
    const s = options.queues[name]
    const log = options.log.child({ component: 'worker', queue: name })
    const worker = new Worker(name, (job, token, signal) => runJob(name, processor, job, token, signal, log), {
      // ioredis' own options type; BullMQ's copy of it is narrower only in its typing.
      connection: options.connection as ConnectionOptions,
      prefix: options.prefix,
      concurrency: s.concurrency,
      maxStalledCount: MAX_STALLED_COUNT,
      // Completions and failures per minute, kept in Redis for every worker process:
      // /api/queue/metrics reads the cluster's throughput from them.
      metrics: { maxDataPoints: MetricsTime.ONE_HOUR },
      ...(s.limiterMax > 0 ? { limiter: { max: s.limiterMax, duration: s.limiterDurationMs } } : {}),
    })
    worker.on('error', (err) => connectionErrors((suppressed) => log.warn({ err, suppressed }, 'worker connection error')))
    workers.set(name, worker)
  }

  async function runJob(name: QueueName, processor: Processor<QueueName>, job: Job, token: string | undefined, signal: AbortSignal | undefined, log: Logger) {
    const wakeUp = { queue: name, ...job.data } as WakeUp
    const attempt = job.attemptsMade + 1
    const maxAttempts = job.opts.attempts ?? 1
    const jobLog = log.child({ jobId: job.id, attempt })
    let result
    const jobSignal = linkSignal([signal, abort.signal])
    try {
      // Due at its creation plus its delay (BullMQ keeps the delay of a re-delayed job); a retry's wait includes its backoff.
      const readyAt = job.timestamp + (job.delay ?? 0)
      result = await processor(wakeUp, { attempt, maxAttempts, readyAt, signal: jobSignal.signal, log: jobLog })
    } catch (err) {
      const kind = classifyFailure(err)
      logFailure(jobLog, err, attempt, maxAttempts, kind)
      // The processor is the only place that knows BullMQ; non-retryable errors stop here.
      if (kind === 'final') throw new UnrecoverableError(err instanceof Error ? err.message : String(err))
      throw err
    } finally {
      jobSignal.release()
    }
    if (result !== undefined) {
      // Not a failure: costs no attempt (debounce, lease held elsewhere, Meta rate limit).
      jobLog.debug({ reason: result.reason, retryAt: result.retryAt }, 'job delayed')
      await job.moveToDelayed(result.retryAt.getTime(), token)
      throw new DelayedError()
    }
  }

  return {
    workers,
    abort: () => abort.abort(new Error('shutdown: in-flight jobs aborted')),
    close: () => releaseTogether([...workers.values()].map((w) => () => w.close())),
  }
}
