import type { WorkerDeps } from './deps.js'
import { createImageAnalysisProcessor } from './image-analysis.js'
import { createMessageProcessor } from './message-processing.js'
import type { Processors } from '../queues/index.js'
import { createTurnProcessor } from './turn.js'

export type { FixedMessages, ImageAnalysers, WorkerDeps, WorkerObserver } from './deps.js'
export { createImageAnalysisProcessor } from './image-analysis.js'
export { createMessageProcessor } from './message-processing.js'
export { createTurnProcessor } from './turn.js'
export { createOutboxSender, type OutboxSender } from './outbox-sender.js'

/** Every queue's processor, built over one set of dependencies. */
export function createProcessors(deps: WorkerDeps): Processors {
  return {
    'message-processing': createMessageProcessor(deps),
    'ai-response': createTurnProcessor(deps),
    'image-analysis': createImageAnalysisProcessor(deps),
  }
}
