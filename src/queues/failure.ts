import type { Logger } from 'pino'
import { isAtendeError } from '../errors.js'

/** How a runtime should treat a processor's failure. */
export type FailureKind = 'retry' | 'final'

/** Non-retryable errors (a 4xx from WhatsApp, a refused AI key) end the job at once. */
export function classifyFailure(err: unknown): FailureKind {
  return isAtendeError(err) && !err.retryable ? 'final' : 'retry'
}

/** The original's schedule: 1 s → 2 s → 4 s for backoffMs = 1000. */
export function backoffDelayMs(backoffMs: number, attempt: number): number {
  return backoffMs * 2 ** (attempt - 1)
}

export function logFailure(log: Logger, err: unknown, attempt: number, maxAttempts: number, kind: FailureKind): void {
  if (kind === 'final' || attempt >= maxAttempts) log.error({ err, attempt, maxAttempts }, 'job failed for good')
  else log.warn({ err, attempt, maxAttempts }, 'job failed; will retry')
}
