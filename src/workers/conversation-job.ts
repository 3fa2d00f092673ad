import { createCoalescer } from '../lib/index.js'
import type { Processor, ProcessorResult } from '../queues/index.js'
import { conversationsWithPendingOutbound } from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import type { OutboxSender } from './outbox-sender.js'

/**
 * The `ai-response` job of a conversation does the conversation's two kinds of sending:
 * first the outbox rows that are not bot replies (an agent's message, a template, a survey),
 * then the turn. One job key per conversation (queues/job-key.ts) already means one job at a
 * time per conversation on every runtime, and a wake-up arriving while it runs runs it once
 * more: the outbox needs exactly that, so it shares the queue instead of adding one
 * (docs/decisions/0030-outbox-wake-up.md). A failing outbox send does not keep the turn
 * from running; its error is thrown after, so the job retries with backoff. Jobs that start
 * while another's outbox read is in flight share the next read, which begins after they did.
 */
export function withOutbox(deps: Pick<WorkerDeps, 'db'>, sendOutbox: OutboxSender, turn: Processor<'ai-response'>): Processor<'ai-response'> {
  const hasPendingOutbound = createCoalescer<number, boolean>({
    flush: async (ids) => {
      const pending = await conversationsWithPendingOutbound(deps.db, ids)
      return ids.map((id) => ({ ok: true, value: pending.has(id) }))
    },
  })
  return async (wakeUp, ctx) => {
    let outboxResult: ProcessorResult = undefined
    let outboxError: unknown
    if (await hasPendingOutbound(wakeUp.conversationId)) {
      try {
        outboxResult = await sendOutbox({ conversationId: wakeUp.conversationId }, ctx)
      } catch (err) {
        outboxError = err
      }
    }
    const turnResult = await turn(wakeUp, ctx)
    if (outboxError !== undefined) throw outboxError
    return earliest(outboxResult, turnResult)
  }
}

function earliest(a: ProcessorResult, b: ProcessorResult): ProcessorResult {
  if (a === undefined) return b
  if (b === undefined) return a
  return a.retryAt <= b.retryAt ? a : b
}
