import type { Logger } from 'pino'
import { DEFAULT_FINDING_TEXTS, type AiMessage, type AiReply } from '../ai/index.js'
import { classifySurveyAnswer, describeImage, idleDueAt, isSurveyOptOut, menuDepartments, splitReply, type ImageAnalysis, type InteractiveContent, type LifecycleEvent } from '../domain/index.js'
import { isAtendeError, WhatsAppApiError } from '../errors.js'
import {
  applyLifecycleEvent, currentSurvey, optOutConversationContact, recordSurveyComment, recordSurveyScore, setIdleDue,
  beginSend, completeTurn, loadUnanswered, markSendFailed, markSent, openTurn, prepareReply, queueOutbound, releaseTurn, sendFailureOf,
  type ConversationStatus, type OutboxPart, type TurnClaim, type TurnConversation, type TurnMessage,
} from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import { outboxCallbackData } from './outbox-callback.js'
import { handoffReplyText, scheduleAlert } from './handoff.js'
import { linkSignal } from '../lib/index.js'
import type { JobContext, Processor, ProcessorResult } from '../queues/index.js'
import { afterClosed, afterResolved, raiseAlert } from './lifecycle.js'
import { createOutboxSender } from './outbox-sender.js'
import { errorSummary } from './error-summary.js'

/** Meta refuses free-form replies once the customer's last message is older than 24 h (131047). */
const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000
/** How soon to look again when a message of the turn is still being processed. */
const PROCESSING_POLL_MS = 250
const HISTORY_LIMIT = 20

interface Turn extends TurnClaim {
  conversation: TurnConversation
  log: Logger
  signal: AbortSignal
  ctx: JobContext
}

/**
 * `ai-response`: one turn of a conversation. Claims the lease, answers every unanswered
 * message at once, sends the reply through the outbox, and marks the messages covered.
 */
export function createTurnProcessor(deps: WorkerDeps): Processor<'ai-response'> {
  const now = deps.now ?? (() => new Date())
  // The lease outlives the AI call plus sending a few parts, so a healthy turn never loses it.
  const leaseMs = deps.aiTimeoutMs + 4 * deps.sendTimeoutMs + 5_000
  const outbox = createOutboxSender(deps)

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
        if ('menu' in asked) return sendMenu(turn, seq, asked.menu, asked.department)
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
   * What the customer's message means to the lifecycle, applied before any reply: in
   * `awaiting_nps` a score (recorded; the reason is asked once) or the reason (recorded; thanks,
   * closed); anywhere an opt-out ("parar"); otherwise a resolved, awaiting or closed
   * conversation reopens. Returns the fixed reply and the status it leaves, or undefined when
   * the AI answers.
   */
  async function applyCustomerMessage(turn: Turn, unanswered: TurnMessage[]): Promise<{ text: string; status: ConversationStatus } | undefined> {
    const { conversation: c } = turn
    const lifecycle = deps.lifecycle
    const text = unanswered.map((m) => m.text ?? '').join('\n').trim()
    const at = now()
    if (lifecycle !== undefined && c.status === 'awaiting_nps') {
      const survey = await currentSurvey(deps.db, c.id)
      if (survey !== undefined && survey.phase !== 'done') {
        const answer = classifySurveyAnswer(text, survey.phase)
        if (answer.kind === 'score') {
          if (await recordSurveyScore(deps.db, { id: survey.id, score: answer.score, at })) {
            turn.log.info({ surveyId: survey.id, category: answer.category }, 'nps score recorded')
            deps.observe?.npsResponse(answer.category, c.id)
            if (answer.category === 'detractor') await raiseAlert(deps, { kind: 'nps_detractor', conversationId: c.id, surveyId: survey.id, score: answer.score }, turn.log)
          }
          return { text: lifecycle.messages.npsReason, status: await lifecycleEvent(turn, 'score') }
        }
        if (answer.kind === 'comment') {
          await recordSurveyComment(deps.db, { id: survey.id, comment: answer.text, at })
          await lifecycleEvent(turn, 'comment')
          return { text: lifecycle.messages.npsThanks, status: await lifecycleEvent(turn, 'thanks') }
        }
      }
    }
    if (lifecycle !== undefined && isSurveyOptOut(text)) {
      await optOutConversationContact(deps.db, c.id, at)
      turn.log.info('customer opted out of surveys')
      return { text: lifecycle.messages.npsOptOut, status: await lifecycleEvent(turn, 'opt_out') }
    }
    if (c.status === 'resolved' || c.status === 'awaiting_nps' || c.status === 'closed') await lifecycleEvent(turn, 'customer_message')
    return undefined
  }

  /**
   * Applies one lifecycle event (stored with its cause when it changes the status) and what
   * follows it: a resolution plans the survey, a close asks for a learning run. Returns the
   * status the conversation is in afterwards.
   */
  async function lifecycleEvent(turn: Turn, event: LifecycleEvent): Promise<ConversationStatus> {
    const t = await applyLifecycleEvent(deps.db, { conversationId: turn.conversation.id, event, at: now() })
    if (t === undefined) return turn.conversation.status
    if (!t.ok) {
      turn.log.warn({ event, status: t.from, code: t.code }, 'lifecycle event refused')
      return t.from
    }
    if (t.changed) {
      turn.log.info({ fromStatus: t.from, toStatus: t.to, cause: t.cause }, 'conversation status changed')
      if (t.to === 'resolved') await afterResolved(deps, turn.conversation.id, now(), turn.log)
      if (t.to === 'closed') await afterClosed(deps, turn.conversation.id, turn.log)
    }
    return t.to
  }

  async function askAi(
    turn: Turn,
    seq: number,
    unanswered: TurnMessage[],
  ): Promise<{ parts: OutboxPart[] } | { menu: InteractiveContent; department: string | undefined }> {
    const { conversation: c } = turn
    const reply: Pick<AiReply, 'text' | 'department' | 'resolved' | 'handoff' | 'menu' | 'source'> = unanswered.every(isUnheardAudio)
      ? audioFallback()
      : await replyFromAi(turn, unanswered)
    if (reply.menu !== undefined) return { menu: reply.menu, department: reply.department }
    const parts = await prepareReply(deps.db, {
      conversationId: c.id,
      token: turn.token,
      seq,
      parts: splitReply(reply.handoff ? handoffReplyText(deps.handoff, reply.text, now()) : reply.text),
      meta: { department: reply.department, resolved: reply.resolved, handoff: reply.handoff, source: reply.source },
      now: now(),
    })
    return { parts }
  }

  /**
   * "When unsure, ask": the department menu goes through the outbox as kind `menu` (zod checks
   * Meta's limits), keyed by the turn's last seq so a retried turn queues it once, and is sent
   * now by the outbox sender (same client, limiter and status tracking). A send that fails
   * retryably fails the turn, whose retry finds the row queued and sends it then.
   */
  async function sendMenu(turn: Turn, seq: number, menu: InteractiveContent, department: string | undefined): Promise<void> {
    const c = turn.conversation
    await queueOutbound(deps.db, {
      conversationId: c.id,
      kind: 'menu',
      content: { type: 'interactive', interactive: menu },
      idempotencyKey: `menu:${seq}`,
      now: now(),
    })
    const result = await outbox({ conversationId: c.id }, turn.ctx)
    if (result !== undefined) throw new MenuNotSentError(result.reason)
    await finish(turn, seq, department, 'open')
    turn.log.info({ seq, department }, 'turn asked with the department menu')
  }

  /** Only voice notes nobody could transcribe: no provider can answer words it never got. */
  function audioFallback(): Pick<AiReply, 'text' | 'department' | 'resolved' | 'handoff' | 'source'> {
    if (deps.audioFallback === 'handoff') return { text: deps.messages.handoff, department: undefined, resolved: false, handoff: true, source: 'rule' }
    const text = deps.messages.audioUnheard ?? DEFAULT_FINDING_TEXTS[deps.images.language].audioUnheard
    return { text, department: undefined, resolved: false, handoff: false, source: 'rule' }
  }

  async function replyFromAi(turn: Turn, unanswered: TurnMessage[]): Promise<AiReply> {
    const { conversation: c } = turn
    const deadline = linkSignal([turn.signal], deps.aiTimeoutMs)
    return deps.ai.reply({
      conversationId: c.id,
      history: turn.history.map(toAiMessage),
      unanswered: unanswered.map(toAiMessage),
      currentDepartment: c.department ?? undefined,
      signal: deadline.signal,
    }).finally(deadline.release)
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
    const done = await completeTurn(deps.db, {
      sent,
      conversationId: turn.conversation.id,
      token: turn.token,
      answeredSeq: seq,
      department,
      status,
      now: now(),
      debounce: deps.debounce,
    })
    if (done === undefined) {
      turn.log.warn('turn lost its lease before completing')
      return
    }
    await armIdleTimer(turn, status, sent !== undefined)
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
  /**
   * CONVERSATION_IDLE_MS after the bot's answer with no reply resolves an open conversation:
   * a column (`idle_due_at`, which the reconciler also reads) and a wake-up of nps-survey,
   * whose processor resolves it when the time comes. Any other status clears it.
   */
  async function armIdleTimer(turn: Turn, status: ConversationStatus, answered: boolean): Promise<void> {
    if (deps.lifecycle === undefined) return
    const due = status === 'open' && answered ? idleDueAt(now(), deps.lifecycle.idleMs) : null
    await setIdleDue(deps.db, { conversationId: turn.conversation.id, token: turn.token, idleDueAt: due })
    if (due === null) return
    try {
      await deps.dispatcher.dispatch([{ queue: 'nps-survey', conversationId: turn.conversation.id, runAt: due }])
    } catch (err) {
      turn.log.warn({ err }, 'idle timer wake-up failed; the reconciler will send it')
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

/** The menu could not be sent yet (the outbox lease is taken, or more rows wait): the turn retries. */
class MenuNotSentError extends Error {
  readonly retryable = true
  constructor(reason: string) {
    super(`department menu not sent yet: ${reason}`)
  }
}

function toAiMessage(m: TurnMessage): AiMessage {
  if (m.direction === 'out' && m.kind === 'menu' && m.content !== null) {
    return { direction: 'out', text: m.text ?? '', menu: menuDepartments(m.content as InteractiveContent) }
  }
  if (m.direction === 'in' && m.type === 'interactive') {
    const choice = (m.payload as { interactive?: { id?: unknown } } | null)?.interactive?.id
    return { direction: 'in', text: m.text ?? '', choice: typeof choice === 'string' ? choice : undefined }
  }
  if (m.type === 'image') {
    // The analysis is ours, written by image-analysis; an image from before it existed has none.
    const analysis = m.analysis as ImageAnalysis | null
    const image = describeImage(analysis)
    const caption = m.text !== null && m.text !== '' ? m.text : undefined
    return {
      direction: m.direction,
      text: caption !== undefined ? `${caption}\n${image}` : image,
      media: { type: 'image', caption, findings: analysis?.findings ?? [] },
    }
  }
  if (m.type === 'document' && m.analysis !== null) {
    // A PDF image-analysis read (only PDFs are analysed; other documents keep their caption).
    const analysis = m.analysis as ImageAnalysis
    const caption = m.text !== null && m.text !== '' ? m.text : undefined
    const pdf = describeImage(analysis, 'PDF')
    return { direction: m.direction, text: caption !== undefined ? `${caption}\n${pdf}` : pdf, media: { type: 'document', caption, findings: analysis.findings } }
  }
  // A transcribed voice note is the customer's text (image-analysis stored it as such).
  if (m.text !== null && m.text !== '') return { direction: m.direction, text: m.text }
  if (isUnheardAudio(m)) return { direction: m.direction, text: '[voice note: could not be transcribed]', media: { type: 'audio', findings: [] } }
  return { direction: m.direction, text: `[${m.type}]` }
}

function isUnheardAudio(m: TurnMessage): boolean {
  return m.direction === 'in' && m.type === 'audio' && (m.text === null || m.text === '')
}
