import type { QueueName } from '../config/index.js'

/**
 * The queue names and their settings are read from the environment (QUEUE_<NAME>_*), so the
 * list itself lives in config/, which imports nothing of ours; this is where the rest of the
 * code takes them from (docs/decisions/0007-one-queue-contract.md).
 */
export { QUEUE_NAMES, type QueueName, type QueueSettings } from '../config/index.js'

/**
 * How a queue deduplicates its wake-ups, the one rule both runtimes follow:
 * - `row`: one job per row (a message). A wake-up for a row whose job is stored — waiting,
 *   delayed, retrying or running — adds nothing: the job reads the row when it runs.
 * - `conversation`: one pending job per conversation. A later wake-up moves a pending one to
 *   its own time; one arriving while the job runs is kept and runs once more afterwards
 *   (never two at once), because the conversation may have new work the running job missed.
 */
export type QueueKind = 'row' | 'conversation'

export const QUEUE_KINDS: Readonly<Record<QueueName, QueueKind>> = Object.freeze({
  'message-processing': 'row',
  'image-analysis': 'row',
  'ai-response': 'conversation',
  'nps-survey': 'conversation',
  'learning-tasks': 'conversation',
})
