import type { WorkerDeps } from './deps.js'
import { createImageAnalysisProcessor } from './image-analysis.js'
import { createLearningProcessor } from './learning.js'
import { createMessageProcessor } from './message-processing.js'
import type { Processors } from '../queues/index.js'
import { createTurnProcessor } from './turn.js'
import { createNpsSurveyProcessor } from './nps-survey.js'

import { createOutboxSender } from './outbox-sender.js'
import { withOutbox } from './conversation-job.js'

export type { FixedMessages, ImageAnalysers, LifecycleAlert, LifecycleDeps, SurveyMessages, WorkerDeps, WorkerObserver } from './deps.js'
export type { HandoffSettings } from './handoff.js'
export { createImageAnalysisProcessor } from './image-analysis.js'
export { createMessageProcessor } from './message-processing.js'
export { createTurnProcessor } from './turn.js'
export { createLearningProcessor, createLearningProducer, type LearningDeps, type LearningProducer } from './learning.js'
export { createLearnedAi, type LearnedAiOptions } from './learned-knowledge.js'
export { createOutboxSender, type OutboxSender } from './outbox-sender.js'
export { createNpsSurveyProcessor } from './nps-survey.js'
export { afterClosed, afterResolved, raiseAlert } from './lifecycle.js'
export { withOutbox } from './conversation-job.js'

/** Every queue's processor, built over one set of dependencies. */
export function createProcessors(deps: WorkerDeps): Processors {
  return {
    'message-processing': createMessageProcessor(deps),
    'ai-response': withOutbox(deps, createOutboxSender(deps), createTurnProcessor(deps)),
    'image-analysis': createImageAnalysisProcessor(deps),
    'learning-tasks': createLearningProcessor({ db: deps.db, language: deps.images.language, log: deps.log, now: deps.now }),
    'nps-survey': createNpsSurveyProcessor(deps),
  }
}
