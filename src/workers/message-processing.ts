import type { Processor } from '../queues/index.js'
import type { WorkerDeps } from './deps.js'
import { processMessage } from '../store/index.js'

/**
 * `message-processing`: per-message bookkeeping (read receipt), then wakes the conversation's
 * turn at its due time, or hands an image to `image-analysis`, which wakes the turn instead.
 */
export function createMessageProcessor(deps: WorkerDeps): Processor<'message-processing'> {
  const now = deps.now ?? (() => new Date())
  return async (wakeUp, ctx) => {
    const log = ctx.log.child({ messageId: wakeUp.messageId })
    // One statement per message: marks it processed and stamps the turn's wake-up.
    const processed = await processMessage(deps.db, wakeUp.messageId, now())
    if (processed === undefined) {
      log.warn('message-processing woke for a message that does not exist')
      return
    }
    const { message, turnDueAt } = processed
    if (message.processedAt === null) {
      try {
        await deps.whatsapp.markRead({ phoneNumberId: message.phoneNumberId, wamid: message.wamid, signal: ctx.signal })
      } catch (err) {
        // A read receipt is a courtesy; failing it must not delay the answer.
        log.warn({ err }, 'mark as read failed; continuing')
      }
    }
    if (message.awaitsAnalysis) {
      await deps.dispatcher.dispatch([{ queue: 'image-analysis', messageId: message.id }])
    } else if (turnDueAt !== null) {
      await deps.dispatcher.dispatch([{ queue: 'ai-response', conversationId: message.conversationId, runAt: turnDueAt }])
    }
    log.debug({ conversationId: message.conversationId }, 'message processed')
  }
}
