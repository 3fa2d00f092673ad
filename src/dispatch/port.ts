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
  /**
   * Removes every job of these rows that is still stored (an erased customer's): jobs carry
   * ids only, but an erased customer's must go too. A job running now cannot be taken back;
   * it finds its row gone and does nothing. Resolves to how many jobs were removed; rejects
   * when the runtime cannot be reached.
   */
  forget(rows: ForgetRows): Promise<number>
}

/** The rows whose jobs {@link Dispatcher.forget} removes. */
export interface ForgetRows {
  conversationIds: readonly number[]
  messageIds: readonly number[]
}

export type WakeUpOf<Q extends QueueName> = Extract<WakeUp, { queue: Q }>

/** Whether a wake-up is for one of these rows (the rule both runtimes' `forget` follows). */
export function isForgotten(rows: ForgetRows): (w: WakeUp) => boolean {
  const messages = new Set(rows.messageIds)
  const conversations = new Set(rows.conversationIds)
  return (w) => ('messageId' in w ? messages.has(w.messageId) : conversations.has(w.conversationId))
}

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
