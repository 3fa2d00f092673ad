import { isAtendeError, WhatsAppApiError } from '../errors.js'
import type { LifecycleEvent } from '../domain/index.js'
import {
  beginSend, completeTurn, loadUnanswered, markSendFailed, markSent, openTurn, prepareReply, releaseTurn, sendFailureOf,
  type ConversationStatus, type OutboxPart,
} from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import { outboxCallbackData } from './outbox-callback.js'
import { scheduleAlert } from './handoff.js'
import { linkSignal } from '../lib/index.js'
import type { Processor, ProcessorResult } from '../queues/index.js'
import { createOutboxSender } from './outbox-sender.js'
import { errorSummary } from './error-summary.js'
import type { Turn } from './turn-context.js'
import { createTurnLifecycle } from './turn-lifecycle.js'
import { createMenuSender } from './turn-menu.js'
import { createAskAi } from './turn-ai.js'

/** Meta refuses free-form replies once the customer's last message is older than 24 h (131047). */
const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000
/** How soon to look again when a message of the turn is still being processed. */
const PROCESSING_POLL_MS = 250
const HISTORY_LIMIT = 20

/**
 * `ai-response`: one turn of a conversation. Claims the lease, answers every unanswered
 * message at once, sends the reply through the outbox, and marks the messages covered.
 */
export function createTurnProcessor(deps: WorkerDeps): Processor<'ai-response'> {
  const now = deps.now ?? (() => new Date())
  // The lease outlives the AI call plus sending a few parts, so a healthy turn never loses it.
  const leaseMs = deps.aiTimeoutMs + 4 * deps.sendTimeoutMs + 5_000
  const outbox = createOutboxSender(deps)
  const { applyCustomerMessage, lifecycleEvent, idleDue, wakeIdleTimer } = createTurnLifecycle(deps)
  const sendMenu = createMenuSender(deps, outbox)
  const askAi = createAskAi(deps)

  return async (wakeUp, ctx): Promise<ProcessorResult> => {
    // One statement claims the lease when the turn is due and reads everything the turn needs.
    const t = now()
    const opened = await openTurn(deps.db, { conversationId: wakeUp.conversationId, now: t, leaseMs, historyLimit: HISTORY_LIMIT })
    if (opened === undefined) return
    const { conversation, claim } = opened
    if (claim === undefined) {
      if (conversation.turnDueAt === null) return
      if (conversation.turnDueAt > t) return { retryAt: conversation.turnDueAt, reason: 'debounce' }
      if (conversation.leaseUntil > t) return { retryAt: conversation.leaseUntil, reason: 'another turn holds the lease' }
      if (conversation.unprocessed > 0) return { retryAt: new Date(t.getTime() + PROCESSING_POLL_MS), reason: 'messages still processing' }
      return { retryAt: new Date(t.getTime() + PROCESSING_POLL_MS), reason: 'lease taken meanwhile' }
    }
    const turn: Turn = {
      conversation,
      ...claim,
      log: ctx.log.child({ conversationId: conversation.id, turnToken: claim.token }),
      signal: ctx.signal,
      ctx,
    }
    try {
      await runTurn(turn)
    } catch (err) {
      const retryAfterMs = isAtendeError(err) && 'retryAfterMs' in err ? (err.retryAfterMs as number | undefined) : undefined
      if (retryAfterMs !== undefined) {
        await releaseTurn(deps.db, conversation.id, claim.token, { uncountAttempt: true })
        return { retryAt: new Date(now().getTime() + retryAfterMs), reason: 'send rate limited (by our limiter or by Meta)' }
      }
      const retryable = !isAtendeError(err) || err.retryable
      if (retryable && claim.attempt < ctx.maxAttempts) {
        await releaseTurn(deps.db, conversation.id, claim.token)
        throw err
      }
      turn.log.error({ err, attempt: claim.attempt }, 'turn failed for good; sending the apology')
      await giveUp(turn)
    }
  }

  async function runTurn(turn: Turn): Promise<void> {
    const { conversation: c, unanswered } = turn
    const last = unanswered.at(-1)
    if (last === undefined) return finish(turn, c.answeredSeq, undefined, c.status)
    const seq = last.seq
    if (c.status === 'handoff') {
      turn.log.info({ seq }, 'conversation is with a person; turn covers the messages without a reply')
      return finish(turn, seq, undefined, 'handoff')
    }
    if (now().getTime() - (last.sentAt ?? last.createdAt).getTime() > REPLY_WINDOW_MS) {
      turn.log.warn({ seq }, 'last message is outside the 24 h reply window; handing off')
      return finish(turn, seq, undefined, 'handoff', undefined, 'handoff')
    }
    let parts = turn.replyParts
    if (parts.length === 0) {
      // The lifecycle reads the message first (decision 0011): a survey answer or an opt-out
      // gets its fixed reply; anything else reopens the conversation and goes to the AI.
      const fixed = await applyCustomerMessage(turn, unanswered)
      if (fixed === undefined) {
        const asked = await askAi(turn, seq, unanswered)
        if ('menu' in asked) {
          await sendMenu(turn, seq, asked.menu)
          await finish(turn, seq, asked.department, 'open')
          turn.log.info({ seq, department: asked.department }, 'turn asked with the department menu')
          return
        }
        parts = asked.parts
      } else {
        parts = await prepareReply(deps.db, {
          conversationId: c.id, token: turn.token, seq, parts: [fixed.text],
          meta: { department: undefined, resolved: false, handoff: false, status: fixed.status }, now: now(),
        })
      }
    }
    if (parts.length === 0) {
      // Another turn owns the conversation now, or it was erased (LGPD) while the AI answered.
      turn.log.warn({ seq }, 'turn lost its lease before storing its reply; stopping')
      return
    }
    const sent = await sendParts(turn, parts)
    if (sent === false) return
    const meta = parts[0]!.meta
    const status: ConversationStatus = meta.status ?? (meta.handoff ? 'handoff' : meta.resolved ? 'resolved' : 'open')
    const cause: LifecycleEvent | undefined = meta.status !== undefined ? undefined : meta.handoff ? 'handoff' : meta.resolved ? 'closing_cue' : undefined
    await finish(turn, seq, meta.department, status, sent, cause)
    turn.log.info({ seq, parts: parts.length, department: meta.department, status }, 'turn replied')
  }

  /**
   * Sends the parts not yet sent, in order. False: the lease was lost and the turn must stop.
   * Only `pending` parts go out: one left `sending` by an earlier turn is `unknown` (openTurn
   * marked it) and is never sent blindly again (invariant 6). The last part sent is returned
   * unmarked: completing the turn marks it, in the same round trip.
   */
  async function sendParts(turn: Turn, parts: OutboxPart[]): Promise<SentPart | undefined | false> {
    const { conversation: c } = turn
    let last: SentPart | undefined
    for (const p of parts) {
      if (p.status === 'sending') turn.log.warn({ partId: p.id }, 'part left sending by an earlier turn is unknown; not sent again')
      if (p.status !== 'pending') continue
      if (last !== undefined) await markSent(deps.db, last, now())
      last = undefined
      const begun = await beginSend(deps.db, { partId: p.id, conversationId: c.id, token: turn.token, now: now() })
      if (begun.kind === 'leaseLost') {
        turn.log.warn({ partId: p.id }, 'turn lost its lease before sending; stopping')
        return false
      }
      const attempt = { partId: p.id, attempt: begun.attempt, token: turn.token }
      const deadline = linkSignal([turn.signal], deps.sendTimeoutMs)
      try {
        const { wamid } = await deps.whatsapp.sendText({
          phoneNumberId: c.phoneNumberId,
          to: { waId: c.customer.waId ?? undefined, userId: c.customer.userId ?? undefined, profileName: undefined },
          text: p.text,
          bizOpaqueCallbackData: outboxCallbackData(p.id),
          signal: deadline.signal,
        }).finally(deadline.release)
        last = { ...attempt, wamid }
      } catch (err) {
        const retryable = !isAtendeError(err) || err.retryable
        const status = sendFailureOf({ retryable, mayHaveSent: err instanceof WhatsAppApiError && err.mayHaveSent })
        await markSendFailed(deps.db, { ...attempt, status, error: errorSummary(err) }, now())
        throw err
      }
    }
    return last
  }

  async function giveUp(turn: Turn): Promise<void> {
    const { conversation: c } = turn
    const unanswered = await loadUnanswered(deps.db, c.id, c.answeredSeq)
    const seq = unanswered.at(-1)?.seq ?? c.answeredSeq
    const apology = await prepareReply(deps.db, {
      conversationId: c.id,
      token: turn.token,
      seq,
      parts: [deps.messages.apology],
      meta: { department: undefined, resolved: false, handoff: true, source: 'rule' },
      apology: true,
      now: now(),
    })
    let sent: SentPart | undefined | false
    try {
      sent = await sendParts(turn, apology)
    } catch (err) {
      turn.log.error({ err }, 'apology could not be sent either; the conversation is handed off')
    }
    await finish(turn, seq, undefined, 'handoff', sent === false ? undefined : sent)
  }

  async function finish(
    turn: Turn, seq: number, department: string | undefined, status: ConversationStatus, sent?: SentPart, cause?: LifecycleEvent,
  ): Promise<void> {
    // The reply is out: the event it carries (a closing cue, a hand-off) moves the status.
    if (cause !== undefined) status = await lifecycleEvent(turn, cause)
    const idleDueAt = idleDue(status, sent !== undefined)
    const done = await completeTurn(deps.db, {
      sent,
      conversationId: turn.conversation.id,
      token: turn.token,
      answeredSeq: seq,
      department,
      status,
      now: now(),
      debounce: deps.debounce,
      idleDueAt,
    })
    if (done === undefined) {
      turn.log.warn('turn lost its lease before completing')
      return
    }
    await wakeIdleTimer(turn, idleDueAt)
    if (status === 'handoff' && turn.conversation.status !== 'handoff') await scheduleAlert(deps.db, deps.handoff, turn.conversation.id, now(), turn.log)
    if (status === 'handoff' && turn.conversation.status !== 'handoff') deps.observe?.handoff()
    // Messages that arrived during this turn get a turn of their own. The turn is done: a
    // failed enqueue must not fail it (on the last attempt that would hand off a conversation
    // that was answered). The due time is committed, so the reconciler wakes it instead.
    if (done.turnDueAt !== null) {
      try {
        await deps.dispatcher.dispatch([{ queue: 'ai-response', conversationId: turn.conversation.id, runAt: done.turnDueAt }])
      } catch (err) {
        turn.log.warn({ err, turnDueAt: done.turnDueAt }, 'follow-up turn wake-up failed; the reconciler will retry')
      }
    }
  }
}

/** A part Meta accepted, not yet marked sent: the attempt that sent it fences the mark. */
interface SentPart {
  partId: number
  attempt: number
  token: number
  wamid: string
}
