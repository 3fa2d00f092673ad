import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { toDate } from './messages.js'

/** The outcome of {@link claimWork}: the claim is ours, or another process holds it until `until`. */
export type WorkClaim = { kind: 'claimed' } | { kind: 'held'; until: Date }

export interface ClaimWorkInput {
  /** The job key (`msg-42`, the queue contract's `jobKey`). */
  key: string
  /** This process's id. */
  owner: string
  now: Date
  /** When the claim lapses if never released (a dead process's claim). */
  until: Date
}

/**
 * Claims a row's work for this process in one statement: taken when free, lapsed, or ours
 * already (a retry of our own job). Concurrent claims on PostgreSQL serialise on the key's
 * row, and the loser sees the winner's claim, so at most one process runs a key at a time.
 */
export async function claimWork(db: Db, c: ClaimWorkInput): Promise<WorkClaim> {
  const [r] = await queryRows<{ claimed: number; held_until: unknown }>(
    db,
    sql`with claimed as (
          insert into work_claims as w (key, owner, until) values (${c.key}, ${c.owner}, ${c.until})
          on conflict (key) do update set owner = excluded.owner, until = excluded.until
            where w.until <= ${c.now} or w.owner = excluded.owner
          returning w.key)
        select (select count(*) from claimed)::int as claimed,
               (select until from work_claims where key = ${c.key}) as held_until`,
  )
  if (r !== undefined && r.claimed > 0) return { kind: 'claimed' }
  // A claim committed by another process after this statement's snapshot: not visible to the
  // second select, so the holder's time is unknown; look again soon.
  return { kind: 'held', until: toDate(r?.held_until) ?? new Date(c.now.getTime() + 1_000) }
}

/** Ends this process's claim (the job is done, or done for good). Someone else's claim is left alone. */
export async function releaseWork(db: Db, key: string, owner: string): Promise<void> {
  await db.execute(sql`delete from work_claims where key = ${key} and owner = ${owner}`)
}

/** Ends every claim of one owner: a runtime that has drained runs nothing any more. */
export async function releaseOwnerClaims(db: Db, owner: string): Promise<void> {
  await db.execute(sql`delete from work_claims where owner = ${owner}`)
}
