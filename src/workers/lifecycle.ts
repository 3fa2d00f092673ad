/**
 * What follows a lifecycle transition, in one place for the turn, the nps-survey processor
 * and (milestone C) the agents' resolve: a resolution plans its survey in the database and
 * sends a delayed wake-up; a resolution or a close asks for a learning run; a detractor's
 * score raises an alert. Each step after the database write is best effort: a lost wake-up
 * is rebuilt by the reconciler from `nps_surveys.due_at`.
 */
import type { Logger } from 'pino'
import { planResolutionSurvey } from '../store/index.js'
import type { LifecycleAlert, WorkerDeps } from './deps.js'
import { createLearningProducer } from './learning.js'

type Deps = Pick<WorkerDeps, 'db' | 'dispatcher' | 'lifecycle' | 'now'>

/**
 * The conversation was just resolved (closing cue, the provider's `resolved`, idle, an
 * agent): plans the survey due NPS_DELAY_MS from `at` and wakes nps-survey then. A second
 * resolve of the same exchange plans nothing (decision 0014).
 */
export async function afterResolved(deps: Deps, conversationId: number, at: Date, log: Logger): Promise<void> {
  const lifecycle = deps.lifecycle
  if (lifecycle === undefined) return learn(deps, conversationId, log)
  const planned = await planResolutionSurvey(deps.db, { conversationId, at, delayMs: lifecycle.nps.delayMs })
  if (planned !== undefined) {
    log.info({ conversationId, surveyId: planned.id, dueAt: planned.dueAt }, 'nps survey planned')
    try {
      await deps.dispatcher.dispatch([{ queue: 'nps-survey', conversationId, runAt: planned.dueAt }])
    } catch (err) {
      log.warn({ err, conversationId }, 'nps survey wake-up failed; the reconciler will send it')
    }
  }
  await learn(deps, conversationId, log)
}

/** The conversation was just closed (the survey answered, skipped or expired). */
export async function afterClosed(deps: Deps, conversationId: number, log: Logger): Promise<void> {
  await learn(deps, conversationId, log)
}

/** A detractor's score: the injected hook (the operations work's alerts), or a log line without personal data. */
export async function raiseAlert(deps: Deps, alert: LifecycleAlert, log: Logger): Promise<void> {
  const hook = deps.lifecycle?.onAlert
  try {
    if (hook === undefined) log.warn(alert, 'nps detractor')
    else await hook(alert)
  } catch (err) {
    log.warn({ err, kind: alert.kind, conversationId: alert.conversationId }, 'alert hook failed')
  }
}

async function learn(deps: Deps, conversationId: number, log: Logger): Promise<void> {
  // Learning is not optional: without an injected producer (tests), the database's own.
  const learning = deps.lifecycle?.learning ?? createLearningProducer({ db: deps.db, dispatcher: deps.dispatcher, log, now: deps.now })
  try {
    await learning.enqueueLearning(conversationId)
  } catch (err) {
    log.warn({ err, conversationId }, 'learning run could not be requested')
  }
}
