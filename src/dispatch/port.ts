import type { QueueName } from '../config/index.js'

/**
 * A wake-up: "this row has work due". Jobs carry ids only; the database holds the work, so
 * a lost wake-up delays work but never loses it (the reconciler sends it again).
 */
export type WakeUp =
  | { queue: 'message-processing'; messageId: number }
  | { queue: 'image-analysis'; messageId: number }
  | { queue: 'ai-response'; conversationId: number; runAt: Date }
  | { queue: 'nps-survey'; conversationId: number; runAt: Date }
  | { queue: 'learning-tasks'; conversationId: number }

export interface DispatchOptions {
  /**
   * The reconciler's path: also revive a wake-up whose job sits in `failed` (where a
   * re-add with the same job id would be a silent no-op).
   * @defaultValue false
   */
  revive?: boolean
}

/** The port workers and ingest enqueue through; BullMQ and in-process runtimes implement it. */
export interface Dispatcher {
  readonly mode: 'queues' | 'in-process'
  /** Resolves once every wake-up is handed to the runtime; rejects if the runtime cannot take them. */
  dispatch(wakeUps: readonly WakeUp[], options?: DispatchOptions): Promise<void>
}

export type WakeUpOf<Q extends QueueName> = Extract<WakeUp, { queue: Q }>

/** Stable job identity of a wake-up: one pending job per row (per conversation for turns). */
export function wakeUpKey(w: WakeUp): string {
  switch (w.queue) {
    case 'message-processing':
    case 'image-analysis':
      return `${w.queue}:${w.messageId}`
    case 'ai-response':
    case 'nps-survey':
    case 'learning-tasks':
      return `${w.queue}:${w.conversationId}`
  }
}
