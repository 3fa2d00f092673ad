import { z } from 'zod'

/** The five queues, named as in the original system so dashboards and runbooks carry over. */
export const QUEUE_NAMES = [
  'message-processing',
  'ai-response',
  'image-analysis',
  'nps-survey',
  'learning-tasks',
] as const
export type QueueName = (typeof QUEUE_NAMES)[number]

export interface QueueSettings {
  /** Jobs one process runs at once on this queue. */
  concurrency: number
  /** Total tries per job, the first included (4 = the original's "3 automatic retries"). @defaultValue 4 */
  attempts: number
  /** First retry delay; doubles each attempt (1 s → 2 s → 4 s). @defaultValue 1_000 */
  backoffMs: number
  /** Queue-wide limiter: at most `limiterMax` jobs per `limiterDurationMs`; 0 disables it. */
  limiterMax: number
  /** Window of the limiter. @defaultValue 1_000 */
  limiterDurationMs: number
}

/**
 * Defaults from the original's status page: concurrency 5 / 2 / 3 for message / image / NPS
 * and a 10 jobs/s limiter; here the limiter sits on `ai-response`, where it protects the AI
 * account, and `ai-response` runs many jobs at once because it mostly waits on the AI.
 */
const DEFAULTS: Record<QueueName, QueueSettings> = {
  'message-processing': { concurrency: 5, attempts: 4, backoffMs: 1_000, limiterMax: 0, limiterDurationMs: 1_000 },
  'ai-response': { concurrency: 50, attempts: 4, backoffMs: 1_000, limiterMax: 10, limiterDurationMs: 1_000 },
  'image-analysis': { concurrency: 2, attempts: 4, backoffMs: 1_000, limiterMax: 0, limiterDurationMs: 1_000 },
  'nps-survey': { concurrency: 3, attempts: 4, backoffMs: 1_000, limiterMax: 0, limiterDurationMs: 1_000 },
  'learning-tasks': { concurrency: 1, attempts: 4, backoffMs: 1_000, limiterMax: 0, limiterDurationMs: 1_000 },
}

/** `message-processing` → `QUEUE_MESSAGE_PROCESSING` */
export function queueEnvPrefix(name: QueueName): string {
  return `QUEUE_${name.toUpperCase().replaceAll('-', '_')}`
}

const int = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback)

/** One zod object per queue: `QUEUE_<NAME>_{CONCURRENCY,ATTEMPTS,BACKOFF_MS,LIMITER_MAX,LIMITER_DURATION_MS}`. */
export function queueEnvShape(): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {}
  for (const name of QUEUE_NAMES) {
    const p = queueEnvPrefix(name)
    const d = DEFAULTS[name]
    shape[`${p}_CONCURRENCY`] = int(1, d.concurrency)
    shape[`${p}_ATTEMPTS`] = int(1, d.attempts)
    shape[`${p}_BACKOFF_MS`] = int(0, d.backoffMs)
    shape[`${p}_LIMITER_MAX`] = int(0, d.limiterMax)
    shape[`${p}_LIMITER_DURATION_MS`] = int(1, d.limiterDurationMs)
  }
  return shape
}

export function readQueueSettings(env: Record<string, unknown>): Record<QueueName, QueueSettings> {
  const out = {} as Record<QueueName, QueueSettings>
  for (const name of QUEUE_NAMES) {
    const p = queueEnvPrefix(name)
    out[name] = Object.freeze({
      concurrency: env[`${p}_CONCURRENCY`] as number,
      attempts: env[`${p}_ATTEMPTS`] as number,
      backoffMs: env[`${p}_BACKOFF_MS`] as number,
      limiterMax: env[`${p}_LIMITER_MAX`] as number,
      limiterDurationMs: env[`${p}_LIMITER_DURATION_MS`] as number,
    })
  }
  return Object.freeze(out)
}
