import type { WakeUp } from './wake-up.js'

/**
 * The one identity of a wake-up's job: one job per row, one pending job per conversation
 * (see `QUEUE_KINDS`). The in-process runtime keys its entries by it; BullMQ uses it as the
 * job id (`row` queues) or the deduplication id (`conversation` queues). No ':' in it:
 * BullMQ refuses custom job ids that contain one. The row prefixes (`msg-`, `img-`) are the
 * ids jobs already stored in Redis carry, so an upgrade deduplicates against them.
 */
export function jobKey(w: WakeUp): string {
  switch (w.queue) {
    case 'message-processing':
      return `msg-${w.messageId}`
    case 'image-analysis':
      return `img-${w.messageId}`
    case 'ai-response':
    case 'nps-survey':
    case 'learning-tasks':
      return `${w.queue}-${w.conversationId}`
  }
}
