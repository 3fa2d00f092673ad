import type { Logger } from 'pino'
import { decideSurvey, surveyRefusal, type LifecycleEvent, type OutboundContent, type SurveySkipReason } from '../domain/index.js'
import {
  applyLifecycleEvent, clearIdleDue, countSurveyAttempt, loadLifecycleTimers, markSurveySent, markSurveySkipped, outboundOutcome, queueOutbound,
  type LifecycleTimers, type SurveyTimer,
} from '../store/index.js'
import type { JobContext, Processor, ProcessorResult } from '../queues/index.js'
import type { LifecycleDeps, WorkerDeps } from './deps.js'
import { afterClosed, afterResolved } from './lifecycle.js'
import { createOutboxSender } from './outbox-sender.js'

/**
 * `nps-survey`: the conversation's lifecycle timers, read from their columns each time it
 * wakes (a wake-up carries the conversation id only, and the reconciler rebuilds a lost one):
 * - `idle_due_at`: the customer's silence after the bot's answer resolves the conversation;
 * - the planned survey's `due_at`: the survey is sent (text inside Meta's 24 h window, the
 *   template outside it when one is configured) or skipped with its reason, once per
 *   resolution (decision 0014), through the outbox;
 * - the sent survey's `expires_at`: no answer within NPS_RESPONSE_WINDOW_MS closes it.
 * Whatever is not due yet is the time it runs again.
 */
export function createNpsSurveyProcessor(deps: WorkerDeps): Processor<'nps-survey'> {
  const now = deps.now ?? (() => new Date())
  const sendOutbox = createOutboxSender(deps)

  return async (wakeUp, ctx): Promise<ProcessorResult> => {
    const lifecycle = deps.lifecycle
    if (lifecycle === undefined) return
    const log = ctx.log.child({ conversationId: wakeUp.conversationId })
    let timers = await loadLifecycleTimers(deps.db, wakeUp.conversationId)
    if (timers === undefined) return
    const later: Date[] = []

    if (timers.idleDueAt !== null) {
      if (timers.idleDueAt > now()) later.push(timers.idleDueAt)
      else await idle(timers, log)
    }
    timers = (await loadLifecycleTimers(deps.db, wakeUp.conversationId))!
    if (timers.pendingSurvey !== undefined) {
      if (timers.pendingSurvey.dueAt > now()) later.push(timers.pendingSurvey.dueAt)
      else {
        const retry = await survey(lifecycle, timers, timers.pendingSurvey, ctx, log)
        if (retry !== undefined) return retry
      }
    }
    if (timers.openSurvey !== undefined) {
      if (timers.openSurvey.expiresAt > now()) later.push(timers.openSurvey.expiresAt)
      else if ((await event(timers.conversationId, 'nps_window_expired', log)) === 'closed') log.info({ surveyId: timers.openSurvey.id }, 'nps survey unanswered; conversation closed')
    }
    const next = later.sort((a, b) => a.getTime() - b.getTime())[0]
    return next === undefined ? undefined : { retryAt: next, reason: 'lifecycle timer not due yet' }
  }

  /** The idle timer fired: resolves the conversation if the bot answered last and nothing waits. */
  async function idle(t: LifecycleTimers, log: Logger): Promise<void> {
    await clearIdleDue(deps.db, t.conversationId, t.idleDueAt!)
    if (t.status !== 'open' || t.answeredSeq < t.lastSeq || t.turnDueAt !== null) return
    if ((await event(t.conversationId, 'idle_timeout', log)) === 'resolved') log.info('conversation idle; resolved')
  }

  /** A due survey: sent, skipped with its reason, or (an ordinary send failure) retried. */
  async function survey(lifecycle: LifecycleDeps, t: LifecycleTimers, s: SurveyTimer, ctx: JobContext, log: Logger): Promise<ProcessorResult> {
    await countSurveyAttempt(deps.db, s.id)
    const decision = decideSurvey({
      now: now(),
      enabled: lifecycle.nps.enabled,
      status: t.status,
      lastSeq: t.lastSeq,
      resolvedSeq: s.resolvedSeq,
      lastCustomerMessageAt: t.lastCustomerMessageAt,
      optedOutAt: t.optedOutAt,
      lastSurveyedAt: t.lastSurveyedAt,
      minIntervalDays: lifecycle.nps.minIntervalDays,
      template: lifecycle.nps.template,
    })
    if (decision.kind === 'skip') return skip(t, s, decision.reason, log)
    const content: OutboundContent =
      decision.kind === 'text'
        ? { type: 'text', text: lifecycle.messages.nps }
        : { type: 'template', template: { name: decision.name, language: decision.language, parameters: [] } }
    // The key makes a retried firing find the row it queued before, never a second survey.
    const queued = await queueOutbound(deps.db, {
      conversationId: t.conversationId, kind: 'survey', content, meta: { surveyId: s.id }, idempotencyKey: `nps-survey-${s.id}`, now: now(),
    })
    if (queued.kind === 'notFound') return
    const retry = await sendOutbox({ conversationId: t.conversationId }, ctx)
    const outcome = await outboundOutcome(deps.db, queued.outboxId)
    if (outcome === undefined) return
    if (outcome.status === 'pending' || outcome.status === 'sending') {
      return retry ?? { retryAt: new Date(now().getTime() + 1_000), reason: 'survey not sent yet' }
    }
    if (outcome.status === 'failed') {
      const reason = surveyRefusal(outcome.metaCode)
      if (reason !== undefined) return skip(t, s, reason, log)
      // Refused for good for another reason: nothing to retry either.
      return skip(t, s, 'template_refused', log)
    }
    // sent, or unknown (it may have reached Meta; its status webhook settles it): never sent twice.
    const at = now()
    if (await markSurveySent(deps.db, { id: s.id, at, outboxId: queued.outboxId, expiresAt: new Date(at.getTime() + lifecycle.nps.responseWindowMs) })) {
      log.info({ surveyId: s.id, type: content.type, outboxId: queued.outboxId }, 'nps survey sent')
    }
    await event(t.conversationId, 'survey_sent', log)
    return { retryAt: new Date(at.getTime() + lifecycle.nps.responseWindowMs), reason: 'nps response window' }
  }

  async function skip(t: LifecycleTimers, s: SurveyTimer, reason: SurveySkipReason, log: Logger): Promise<ProcessorResult> {
    if (await markSurveySkipped(deps.db, { id: s.id, reason, at: now() })) log.info({ surveyId: s.id, reason }, 'nps survey skipped')
    // Only a still-resolved conversation is closed by the skip; one the customer reopened stays as it is.
    if (t.status === 'resolved' && t.lastSeq === s.resolvedSeq) await event(t.conversationId, 'survey_skipped', log)
  }

  /** Applies a timer's event; a refusal means the timer is stale (the customer wrote again). */
  async function event(conversationId: number, e: LifecycleEvent, log: Logger): Promise<string | undefined> {
    const t = await applyLifecycleEvent(deps.db, { conversationId, event: e, at: now() })
    if (t === undefined || !t.ok) return undefined
    if (t.changed) {
      log.info({ fromStatus: t.from, toStatus: t.to, cause: t.cause }, 'conversation status changed')
      if (t.to === 'resolved') await afterResolved(deps, conversationId, now(), log)
      if (t.to === 'closed') await afterClosed(deps, conversationId, log)
    }
    return t.to
  }
}
