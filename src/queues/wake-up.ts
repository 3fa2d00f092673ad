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

export type WakeUpOf<Q extends QueueName> = Extract<WakeUp, { queue: Q }>

/** When a wake-up's job may start, in ms since the epoch: its `runAt`, or `now`. */
export function runAtOf(w: WakeUp, now: number): number {
  return 'runAt' in w ? w.runAt.getTime() : now
}

/** The rows whose jobs {@link Dispatcher.forget} removes. */
export interface ForgetRows {
  conversationIds: readonly number[]
  messageIds: readonly number[]
}

/** Whether a wake-up is for one of these rows (the rule both runtimes' `forget` follows). */
export function isForgotten(rows: ForgetRows): (w: WakeUp) => boolean {
  const messages = new Set(rows.messageIds)
  const conversations = new Set(rows.conversationIds)
  return (w) => ('messageId' in w ? messages.has(w.messageId) : conversations.has(w.conversationId))
}
