import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'

/**
 * Work as the database sees it, whatever the runtime: the dashboard's queue view in
 * in-process mode, where no Redis holds jobs to count. The database is the truth (DESIGN.md);
 * these are the rows the reconciler would dispatch.
 */
export interface WorkCounts {
  /** Inbound messages not yet processed (message-processing, image-analysis). */
  unprocessedMessages: number
  /** Conversations with a turn waiting to run (ai-response), leased or not. */
  turnsWaiting: number
  /** Of those, the ones a worker holds the lease of right now. */
  turnsRunning: number
  /** Outbound parts not yet accepted by the transport (pending or sending). */
  outboxPending: number
  /** Conversations waiting for a person. */
  handoffs: number
}

export async function loadWorkCounts(db: Db): Promise<WorkCounts> {
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`select
          (select count(*) from messages where processed_at is null and direction = 'in') as unprocessed,
          (select count(*) from conversations where turn_due_at is not null) as waiting,
          (select count(*) from conversations where turn_due_at is not null and lease_until > now()) as running,
          (select count(*) from messages where direction = 'out' and provider_status in ('pending', 'sending')) as outbox,
          (select count(*) from conversations where status = 'handoff') as handoffs`,
  )
  return {
    unprocessedMessages: Number(r!.unprocessed),
    turnsWaiting: Number(r!.waiting),
    turnsRunning: Number(r!.running),
    outboxPending: Number(r!.outbox),
    handoffs: Number(r!.handoffs),
  }
}
