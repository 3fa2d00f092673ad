import type { QueueName } from './names.js'

/** The job states a runtime reports, as BullMQ names them. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const
export type JobState = (typeof JOB_STATES)[number]
export type JobCounts = Record<JobState, number>

/** Completions and final failures counted across every process, with per-minute completions. */
export interface QueueHistory {
  completed: number
  failed: number
  /** Jobs completed in each of the last minutes, newest first (index 0: the current minute). */
  completedPerMinute: number[]
}

/**
 * What a runtime says about its queues (issue #11, `/api/queue/metrics`). Both runtimes
 * implement it: BullMQ for the whole cluster (its keys in Redis cover every worker process),
 * in-process for this process. Every queue is always present.
 */
export interface QueueInspector {
  /** Jobs per state of each queue; rejects when the runtime cannot answer in time. */
  counts(): Promise<Record<QueueName, JobCounts>>
  /**
   * Totals and throughput kept by the runtime across processes; undefined when it keeps
   * none (in-process: the process's own figures are the whole truth).
   */
  history?(): Promise<Record<QueueName, QueueHistory>>
  /** Whether the runtime's Redis connection is up now (always false in-process). */
  connected(): boolean
}
