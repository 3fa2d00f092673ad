import type { Logger } from 'pino'
import type { QueueName } from '../config/index.js'
import type { WakeUpOf } from './wake-up.js'

export interface JobContext {
  /** 1 for the first try. */
  attempt: number
  /** Tries the queue allows in all (QUEUE_<NAME>_ATTEMPTS). */
  maxAttempts: number
  /** Aborted on forced shutdown or when the job's time is up. */
  signal: AbortSignal
  log: Logger
  /**
   * When the job became ready to run (ms since the epoch): its wait is the start less this.
   * Set by both runtimes; absent where a caller builds a context by hand.
   */
  readyAt?: number
}

/**
 * What a processor asks of its runtime besides success: run again at `retryAt` without
 * counting an attempt (the debounce is not over yet, another turn holds the lease, Meta
 * rate-limited us).
 */
export type ProcessorResult = void | { retryAt: Date; reason: string }

export type Processor<Q extends QueueName> = (wakeUp: WakeUpOf<Q>, ctx: JobContext) => Promise<ProcessorResult>

/** One processor per queue; a runtime without a processor for a queue leaves it idle. */
export type Processors = { [Q in QueueName]?: Processor<Q> }
