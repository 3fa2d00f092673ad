import { classifyFailure, jobKey, type Processor, type ProcessorResult, type Processors, type QueueName, type WakeUp } from '../queues/index.js'
import { claimWork, releaseWork, type Db } from '../store/index.js'

/** Queues whose rows carry their own lease and fencing token: turns (`conversations.turn_token`). */
const SELF_LEASED: ReadonlySet<QueueName> = new Set(['ai-response'])

export interface WorkClaimOptions {
  db: Db
  /** This process's id in `work_claims.owner`. */
  owner: string
  /** How long a claim lasts if its process dies; longer than any one job. */
  leaseMs: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/**
 * Wraps every processor whose queue has no lease of its own in a database claim on its
 * job key (`jobKey`), so that one key runs in one process at a time whichever runtime started it:
 * a BullMQ job from before an outage, the in-process runtime of another process serving
 * from the database, or two such processes (invariant 7, decision 0028). A key claimed
 * elsewhere is put back until the claim lapses, which costs no attempt; by then the row is
 * usually processed and the job does nothing (its `processed_at` says so).
 *
 * A claim is released when the job is done, or done for good. A job that will be retried
 * keeps it, so that the retry stays with this process and its backoff, and no other
 * process's database scan starts the row early.
 */
export function withWorkClaims(processors: Processors, options: WorkClaimOptions): Processors {
  const now = options.now ?? (() => new Date())
  const wrapped: Record<string, Processor<QueueName>> = {}
  for (const [queue, processor] of Object.entries(processors) as Array<[QueueName, Processor<QueueName> | undefined]>) {
    if (processor === undefined) continue
    wrapped[queue] = SELF_LEASED.has(queue) ? processor : claimed(processor)
  }
  return wrapped as Processors

  function claimed(processor: Processor<QueueName>): Processor<QueueName> {
    return async (wakeUp, ctx): Promise<ProcessorResult> => {
      const key = jobKey(wakeUp as WakeUp)
      const at = now()
      const claim = await claimWork(options.db, { key, owner: options.owner, now: at, until: new Date(at.getTime() + options.leaseMs) })
      if (claim.kind === 'held') return { retryAt: claim.until, reason: 'another process runs this job' }
      let result: ProcessorResult
      try {
        result = await processor(wakeUp, ctx)
      } catch (err) {
        if (classifyFailure(err) === 'final' || ctx.attempt >= ctx.maxAttempts) await release(key, ctx.log)
        throw err
      }
      await release(key, ctx.log)
      return result
    }
  }

  async function release(key: string, log: { warn(obj: object, msg: string): void }): Promise<void> {
    // The job's outcome stands either way; a claim left behind only lapses at its time.
    await releaseWork(options.db, key, options.owner).catch((err: unknown) =>
      log.warn({ err }, 'could not release a work claim; it lapses on its own'),
    )
  }
}
