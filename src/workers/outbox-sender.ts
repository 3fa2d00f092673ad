import type { Logger } from 'pino'
import { isAtendeError, WhatsAppApiError } from '../errors.js'
import { beginOutboundSend, claimOutbox, markSendFailed, markSent, releaseOutbox, sendFailureOf, type OutboxClaim } from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import { linkSignal } from '../lib/index.js'
import { outboxCallbackData } from './outbox-callback.js'
import type { JobContext, ProcessorResult } from '../queues/index.js'
import { errorSummary } from './error-summary.js'

/** Rows sent per claim of the outbox lease; the lease covers this many sends. */
const SENDS_PER_CLAIM = 4

/** Sends a conversation's queued non-reply rows (agent, survey, menu, template). */
export type OutboxSender = (input: { conversationId: number }, ctx: JobContext) => Promise<ProcessorResult>

/**
 * The outbox sender: every outbound message that is not a bot reply leaves through here,
 * through the same client (so the same send limiter) and with the same status tracking as a
 * reply: `biz_opaque_callback_data` names the row, the mark-sent is fenced by the attempt,
 * and a row a dead sender left `sending` is `unknown`, never resent (claimOutbox). One
 * sender per conversation at a time (its outbox lease), rows in `outbound_seq` order; a row
 * that cannot go yet holds back the ones after it.
 *
 * Not bound to a queue yet: milestone C gives it a wake-up (`POST …/messages` answers 202
 * once the row is queued) and the reconciler a look at `findPendingOutbound`.
 */
export function createOutboxSender(deps: WorkerDeps): OutboxSender {
  const now = deps.now ?? (() => new Date())
  const leaseMs = SENDS_PER_CLAIM * deps.sendTimeoutMs + 5_000

  return async ({ conversationId }, ctx) => {
    const claim = await claimOutbox(deps.db, { conversationId, now: now(), leaseMs })
    if (claim === undefined) return { retryAt: new Date(now().getTime() + leaseMs), reason: 'another sender holds the outbox lease' }
    const log = ctx.log.child({ conversationId, outboxToken: claim.token })
    if (claim.abandoned > 0) log.warn({ rows: claim.abandoned }, 'rows left sending by an earlier sender are unknown; not sent again')
    try {
      return await sendClaimed(claim, conversationId, log, ctx.signal)
    } finally {
      await releaseOutbox(deps.db, conversationId, claim.token)
    }
  }

  async function sendClaimed(claim: OutboxClaim, conversationId: number, log: Logger, signal: AbortSignal): Promise<ProcessorResult> {
    for (const row of claim.pending.slice(0, SENDS_PER_CLAIM)) {
      const begun = await beginOutboundSend(deps.db, { rowId: row.id, conversationId, token: claim.token, now: now() })
      if (begun === undefined) {
        log.warn({ outboxId: row.id }, 'outbox sender lost its lease before sending; stopping')
        return
      }
      const attempt = { partId: row.id, attempt: begun.attempt }
      const deadline = linkSignal([signal], deps.sendTimeoutMs)
      try {
        const { wamid } = await deps.whatsapp.send({
          phoneNumberId: claim.phoneNumberId,
          to: { waId: claim.customer.waId ?? undefined, userId: claim.customer.userId ?? undefined, profileName: undefined },
          content: row.content,
          bizOpaqueCallbackData: outboxCallbackData(row.id),
          signal: deadline.signal,
        }).finally(deadline.release)
        await markSent(deps.db, { ...attempt, wamid }, now())
        log.info({ outboxId: row.id, kind: row.kind, type: row.content.type }, 'outbox row sent')
      } catch (err) {
        const retryable = !isAtendeError(err) || err.retryable
        const status = sendFailureOf({ retryable, mayHaveSent: err instanceof WhatsAppApiError && err.mayHaveSent })
        await markSendFailed(deps.db, { ...attempt, status, error: errorSummary(err) }, now())
        const retryAfterMs = isAtendeError(err) && 'retryAfterMs' in err ? (err.retryAfterMs as number | undefined) : undefined
        if (retryAfterMs !== undefined) return { retryAt: new Date(now().getTime() + retryAfterMs), reason: 'send rate limited (by our limiter or by Meta)' }
        if (retryable) throw err
        // Refused for good (outside the 24 h window, a template Meta rejects): the row says
        // so, and the rows after it still go.
        log.warn({ err, outboxId: row.id, kind: row.kind }, 'outbox row refused by WhatsApp for good')
      }
    }
    if (claim.pending.length > SENDS_PER_CLAIM) return { retryAt: now(), reason: 'more outbox rows to send' }
  }
}
