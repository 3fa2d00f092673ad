import { pgTable, text } from 'drizzle-orm/pg-core'
import { ts } from './columns.js'

/** When each periodic task (the retention purge) last ran, shared by every process. */
export const scheduledRuns = pgTable('scheduled_runs', {
  name: text('name').primaryKey(),
  lastRunAt: ts('last_run_at').notNull(),
})

/**
 * Who runs a row's work right now, by job key (`msg-42`): the lease that
 * keeps two processes from running the same job when one serves from Redis and another
 * from the database, or two serve from the database (invariant 7; decision 0028). Turns have
 * their own lease and fencing token on `conversations`. A row lives while its job runs or
 * waits for its retry, then goes; one left by a dead process expires at `until`.
 */
export const workClaims = pgTable('work_claims', {
  key: text('key').primaryKey(),
  /** The claiming process (a random id per process start). */
  owner: text('owner').notNull(),
  until: ts('until').notNull(),
})
