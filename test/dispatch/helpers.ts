import { pino } from 'pino'
import { loggerOptions } from '../../src/log/index.js'
import { loadConfig, type QueueName, type QueueSettings } from '../../src/config/index.js'
import { withTimeout } from '../../src/lib/index.js'
import type { Dispatcher, DispatchOptions, ForgetRows, WakeUp } from '../../src/queues/index.js'

export const silentLog = pino(loggerOptions('silent'))

export interface Deferred<T = void> {
  promise: Promise<T>
  resolve(value: T): void
  reject(err: unknown): void
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Rejects with a readable error if `p` does not settle within `ms`: a hung test names what it waited for. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(p, ms, () => new Error(`timed out after ${ms} ms waiting for ${what}`))
}

/** The default queue settings with some fields of some queues replaced. */
export function queueSettings(
  overrides: Partial<Record<QueueName, Partial<QueueSettings>>> = {},
): Record<QueueName, QueueSettings> {
  const base = loadConfig({}).queues
  return Object.fromEntries(
    Object.entries(base).map(([name, s]) => [name, { ...s, ...overrides[name as QueueName] }]),
  ) as Record<QueueName, QueueSettings>
}

/** The `Dispatcher` port as the boundary of the reconciler: it records what it is handed. */
export interface RecordingDispatcher extends Dispatcher {
  readonly calls: Array<{ wakeUps: WakeUp[]; options: DispatchOptions | undefined }>
  /** Every `forget` call, in order. */
  readonly forgotten: ForgetRows[]
  /** Every wake-up handed over, in order, across calls. */
  wakeUps(): WakeUp[]
}

export function recordingDispatcher(hook?: (wakeUps: readonly WakeUp[]) => Promise<void>): RecordingDispatcher {
  const calls: RecordingDispatcher['calls'] = []
  const forgotten: ForgetRows[] = []
  return {
    mode: 'queues',
    calls,
    forgotten,
    wakeUps: () => calls.flatMap((c) => c.wakeUps),
    async dispatch(wakeUps, options) {
      calls.push({ wakeUps: [...wakeUps], options })
      await hook?.(wakeUps)
    },
    async forget(rows) {
      forgotten.push(rows)
      return 0
    },
  }
}

/**
 * Resolves with the arguments of the first `event` that satisfies `accept`. A listener stays
 * on for the whole wait, so events emitted back to back are never missed between two `once`.
 */
export function untilEvent<A extends unknown[]>(
  emitter: { on(e: string, l: (...args: A) => void): unknown; off(e: string, l: (...args: A) => void): unknown },
  event: string,
  accept: (...args: A) => boolean,
  timeoutMs = 15_000,
): Promise<A> {
  let listener: ((...args: A) => void) | undefined
  const waiting = new Promise<A>((resolve) => {
    listener = (...args: A) => {
      if (accept(...args)) resolve(args)
    }
    emitter.on(event, listener)
  })
  return within(waiting, timeoutMs, `the '${event}' event`).finally(() => emitter.off(event, listener!))
}
