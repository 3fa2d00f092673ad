import { classifyFailure, jobKey, type Processor, type ProcessorResult, type Processors, type QueueName, type WakeUp } from '../queues/index.js'
import { createCoalescer } from '../lib/index.js'
import { claimWorks, releaseWorks, type Db, type WorkClaim } from '../store/index.js'

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
 *
 * Jobs that start (or end) while another job's claim (or release) is in flight share the
 * next statement: under load one round trip claims many keys, and none is served by a
 * statement that began before it asked.
 */
export function withWorkClaims(processors: Processors, options: WorkClaimOptions): Processors {
  const now = options.now ?? (() => new Date())
  const claim = createCoalescer<string, WorkClaim>({
    flush: async (keys) => {
      const at = now()
      const claims = await claimWorks(options.db, { keys, owner: options.owner, now: at, until: new Date(at.getTime() + options.leaseMs) })
      return claims.map((value) => ({ ok: true, value }))
    },
  })
  const releaseKeys = createCoalescer<string, void>({
    flush: async (keys) => {
      await releaseWorks(options.db, keys, options.owner)
      return keys.map(() => ({ ok: true, value: undefined }))
    },
  })
  const wrapped: Record<string, Processor<QueueName>> = {}
  for (const [queue, processor] of Object.entries(processors) as Array<[QueueName, Processor<QueueName> | undefined]>) {
    if (processor === undefined) continue
    wrapped[queue] = SELF_LEASED.has(queue) ? processor : claimed(processor)
  }
  return wrapped as Processors

  function claimed(processor: Processor<QueueName>): Processor<QueueName> {
    return async (wakeUp, ctx): Promise<ProcessorResult> => {
      const key = jobKey(wakeUp as WakeUp)
      const outcome = await claim(key)
      if (outcome.kind === 'held') return { retryAt: outcome.until, reason: 'another process runs this job' }
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
    await releaseKeys(key).catch((err: unknown) =>
      log.warn({ err }, 'could not release a work claim; it lapses on its own'),
    )
  }
}
