import type { InteractiveContent, ReplySource } from '../domain/index.js'
import { queueOutbound } from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import type { OutboxSender } from './outbox-sender.js'
import type { Turn } from './turn-context.js'

/** Queues the department menu and sends it; throws (retryably) when it could not leave yet. */
export type MenuSender = (turn: Turn, seq: number, menu: InteractiveContent) => Promise<void>

/**
 * "When unsure, ask": the department menu goes through the outbox as kind `menu` (zod checks
 * Meta's limits), keyed by the turn's last seq so a retried turn queues it once, and is sent
 * now by the outbox sender (same client, limiter and status tracking). A send that fails
 * retryably fails the turn, whose retry finds the row queued and sends it then.
 */
export function createMenuSender(deps: WorkerDeps, outbox: OutboxSender): MenuSender {
  const now = deps.now ?? (() => new Date())
  return async (turn, seq, menu) => {
    const c = turn.conversation
    await queueOutbound(deps.db, {
      conversationId: c.id,
      kind: 'menu',
      content: { type: 'interactive', interactive: menu },
      // The bot could not tell what was asked: to the learning run, a fallback like any other.
      meta: { source: 'fallback' satisfies ReplySource },
      idempotencyKey: `menu:${seq}`,
      now: now(),
    })
    const result = await outbox({ conversationId: c.id }, turn.ctx)
    if (result !== undefined) throw new MenuNotSentError(result.reason)
  }
}

/** The menu could not be sent yet (the outbox lease is taken, or more rows wait): the turn retries. */
class MenuNotSentError extends Error {
  readonly retryable = true
  constructor(reason: string) {
    super(`department menu not sent yet: ${reason}`)
  }
}
