import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { toDate } from './messages.js'

/** The outcome of one key's claim: it is ours, or another process holds it until `until`. */
export type WorkClaim = { kind: 'claimed' } | { kind: 'held'; until: Date }

export interface ClaimWorkInput {
  /** Job keys (`msg-42`, the queue contract's `jobKey`). */
  keys: readonly string[]
  /** This process's id. */
  owner: string
  now: Date
  /** When the claims lapse if never released (a dead process's claims). */
  until: Date
}

/**
 * Claims rows' work for this process in one statement, one outcome per key, in order: a key
 * is taken when free, lapsed, or ours already (a retry of our own job). Concurrent claims on
 * PostgreSQL serialise on each key's row, and the loser sees the winner's claim, so at most
 * one process runs a key at a time. Keys are locked in sorted order, so two processes claiming
 * overlapping sets never deadlock; a key listed twice gets the same outcome twice. Concurrent
 * jobs of one process share the statement (dispatch/work-claims.ts).
 */
export async function claimWorks(db: Db, c: ClaimWorkInput): Promise<WorkClaim[]> {
  const keys = [...new Set(c.keys)].sort()
  const rows = await queryRows<{ key: string; claimed: boolean; held_until: unknown }>(
    db,
    sql`with input as (select key from unnest(${sql.param(keys)}::text[]) as t(key)),
        claimed as (
          insert into work_claims as w (key, owner, until) select key, ${c.owner}, ${c.until} from input order by key
          on conflict (key) do update set owner = excluded.owner, until = excluded.until
            where w.until <= ${c.now} or w.owner = excluded.owner
          returning w.key)
        select i.key, exists (select 1 from claimed k where k.key = i.key) as claimed,
               (select x.until from work_claims x where x.key = i.key) as held_until
        from input i`,
  )
  const byKey = new Map(rows.map((r) => [r.key, r]))
  return c.keys.map((key): WorkClaim => {
    const r = byKey.get(key)
    if (r?.claimed === true) return { kind: 'claimed' }
    // A claim committed by another process after this statement's snapshot: not visible to the
    // lookup, so the holder's time is unknown; look again soon.
    return { kind: 'held', until: toDate(r?.held_until) ?? new Date(c.now.getTime() + 1_000) }
  })
}

/** Ends this process's claims on these keys (the jobs are done, or done for good). Someone else's claim is left alone. */
export async function releaseWorks(db: Db, keys: readonly string[], owner: string): Promise<void> {
  await db.execute(sql`delete from work_claims where owner = ${owner} and key = any(${sql.param([...keys])}::text[])`)
}

/** Ends every claim of one owner: a runtime that has drained runs nothing any more. */
export async function releaseOwnerClaims(db: Db, owner: string): Promise<void> {
  await db.execute(sql`delete from work_claims where owner = ${owner}`)
}
