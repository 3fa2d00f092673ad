import { classifySurveyAnswer, idleDueAt, isSurveyOptOut, type LifecycleEvent } from '../domain/index.js'
import {
  applyLifecycleEvent, currentSurvey, optOutConversationContact, recordSurveyComment, recordSurveyScore,
  type ConversationStatus, type TurnMessage,
} from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import { afterClosed, afterResolved, raiseAlert } from './lifecycle.js'
import type { Turn } from './turn-context.js'

/** The conversation lifecycle as a turn meets it: before the reply, after it, and once it is done. */
export interface TurnLifecycle {
  applyCustomerMessage(turn: Turn, unanswered: TurnMessage[]): Promise<{ text: string; status: ConversationStatus } | undefined>
  lifecycleEvent(turn: Turn, event: LifecycleEvent): Promise<ConversationStatus>
  /** The idle timer a completed turn leaves (completeTurn writes it): undefined leaves it as it is. */
  idleDue(status: ConversationStatus, answered: boolean): Date | null | undefined
  /** Once the turn is complete: the nps-survey wake-up that fires the idle timer. */
  wakeIdleTimer(turn: Turn, due: Date | null | undefined): Promise<void>
}

export function createTurnLifecycle(deps: WorkerDeps): TurnLifecycle {
  const now = deps.now ?? (() => new Date())
  return { applyCustomerMessage, lifecycleEvent, idleDue, wakeIdleTimer }

  /**
   * What the customer's message means to the lifecycle, applied before any reply: in
   * `awaiting_nps` a score (recorded; the reason is asked once), a rating in words (the number
   * is asked for, once) or the reason (recorded; thanks, closed); anywhere an opt-out ("parar"); otherwise a resolved, awaiting or closed
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
        // "péssimo": the customer answered, in words; ask for the number once, not "não entendi".
        // Words again after that go to normal handling.
        const lastOut = turn.history.findLast((m) => m.direction === 'out')
        if (answer.kind === 'words' && lastOut?.text !== lifecycle.messages.npsScoreAgain) {
          return { text: lifecycle.messages.npsScoreAgain, status: c.status }
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

  /**
   * CONVERSATION_IDLE_MS after the bot's answer with no reply resolves an open conversation:
   * a column (`idle_due_at`, which the reconciler also reads), written by the statement that
   * completes the turn, and a wake-up of nps-survey, whose processor resolves it when the
   * time comes. Any other status clears it.
   */
  function idleDue(status: ConversationStatus, answered: boolean): Date | null | undefined {
    if (deps.lifecycle === undefined) return undefined
    return status === 'open' && answered ? idleDueAt(now(), deps.lifecycle.idleMs) : null
  }

  async function wakeIdleTimer(turn: Turn, due: Date | null | undefined): Promise<void> {
    if (due === null || due === undefined) return
    try {
      await deps.dispatcher.dispatch([{ queue: 'nps-survey', conversationId: turn.conversation.id, runAt: due }])
    } catch (err) {
      turn.log.warn({ err }, 'idle timer wake-up failed; the reconciler will send it')
    }
  }
}
