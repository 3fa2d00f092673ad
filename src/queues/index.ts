/**
 * The queue contract (DESIGN.md, module map): queue names and kinds, wake-up shapes, the one
 * job key, the `Dispatcher` port, `Processor` and its job context, failure classification
 * and backoff. workers/, ingest/ and privacy/ use it; dispatch/ implements it.
 */
export { QUEUE_KINDS, QUEUE_NAMES, type QueueKind, type QueueName, type QueueSettings } from './names.js'
export { isForgotten, outboxWakeUp, runAtOf, type ForgetRows, type WakeUp, type WakeUpOf } from './wake-up.js'
export { jobKey } from './job-key.js'
export type { Dispatcher, DispatchOptions } from './dispatcher.js'
export type { JobContext, Processor, ProcessorResult, Processors } from './processor.js'
export { backoffDelayMs, classifyFailure, logFailure, type FailureKind } from './failure.js'
export { JOB_STATES, type JobCounts, type JobState, type QueueHistory, type QueueInspector } from './inspect.js'
