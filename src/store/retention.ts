import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'

/** Arbitrary constant shared by every Atende process: one purge batch runs at a time. */
const RETENTION_LOCK_KEY = 7_401_245_003

/** How long an erased wamid's hash is kept: Meta redelivers for up to 7 days. */
export const ERASED_WAMID_KEEP_MS = 7 * 24 * 60 * 60 * 1000

/**
 * Claims one run of a periodic task: moves its `scheduled_runs.last_run_at` to `now` unless
 * it ran less than `everyMs` ago. One statement on one row, so of several processes asking at
 * once exactly one wins; the row outlives restarts, so a restart does not run it again early.
 */
export async function claimScheduledRun(db: Db, name: string, now: Date, everyMs: number): Promise<boolean> {
  const rows = await queryRows<{ claimed: number }>(
    db,
    sql`insert into scheduled_runs (name, last_run_at) values (${name}, ${now}::timestamptz)
        on conflict (name) do update set last_run_at = excluded.last_run_at
        where scheduled_runs.last_run_at <= ${new Date(now.getTime() - everyMs)}::timestamptz
        returning 1 as claimed`,
  )
  return rows.length > 0
}

/** What one purge step deletes. */
export type PurgeTarget =
  | 'messages'
  | 'status_events'
  | 'quarantine'
  | 'outgoing_events'
  | 'conversation_events'
  | 'nps_surveys'
  | 'learning_proposals'
  | 'learning_records'
  | 'conversations'
  | 'contacts'
  | 'erased_wamids'
  | 'alerts'

/**
 * Deletes at most `limit` rows of `target` older than `cutoff`, in one transaction under a
 * transaction-scoped advisory lock. Undefined: another process is purging now.
 *
 * "Older": messages, status events and quarantine by `created_at`, conversation events by
 * `at`; NPS surveys by `created_at`, anonymised rather than deleted; conversations whose last
 * activity (`updated_at`) is older, with no message left and no turn running (a wake-up
 * still due finds nothing and ends);
 * contacts older with no conversation left; erased-wamid hashes by `erased_at`; alerts by
 * `raised_at` (no customer data, kept for ALERT_RETENTION_DAYS). Referencing
 * rows go first (messages before conversations before contacts); a table added later that
 * references conversations purges before them.
 */
export async function purgeBatch(db: Db, target: PurgeTarget, cutoff: Date, now: Date, limit: number): Promise<number | undefined> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK_KEY}) as locked`)
    if (lock?.locked !== true) return undefined
    const [r] = await queryRows<{ n: number }>(tx, sql`with gone as (${deletion(target, sql`${cutoff}::timestamptz`, sql`${now}::timestamptz`, limit)})
                                                    select count(*)::int as n from gone`)
    return r!.n
  })
}

function deletion(target: PurgeTarget, cutoff: SQL, now: SQL, limit: number): SQL {
  switch (target) {
    case 'messages':
    case 'status_events':
    case 'quarantine':
    case 'outgoing_events':
      return oldestFirst(target, cutoff, limit)
    case 'conversation_events':
      return oldestFirst(target, cutoff, limit, 'at')
    case 'nps_surveys':
      // Anonymised, not deleted: score, category, department and dates stay for the reports.
      return sql`update nps_surveys set conversation_id = null, contact_id = null, comment = null, outbox_id = null
        where id in (select n.id from nps_surveys n
                     where n.created_at < ${cutoff} and (n.conversation_id is not null or n.contact_id is not null or n.comment is not null)
                     order by n.id limit ${limit})
        returning 1`
    case 'learning_proposals':
      // Learning's copies of customer words outlive neither their source nor the cutoff. A
      // proposal created before it quotes older words still: a group's key is the words of the
      // question that opened it, a faq pair or a detractor comment was copied after its
      // messages or survey.
      return sql`delete from learning_proposals where id in (
        select id from learning_proposals where created_at < ${cutoff} order by id limit ${limit}) returning 1`
    case 'learning_records':
      // A record's copy of the NPS comment goes once no survey of its conversation keeps one.
      return sql`update learning_records r set nps_comment = null where r.conversation_id in (
        select x.conversation_id from learning_records x
        where x.nps_comment is not null
          and not exists (select 1 from nps_surveys n where n.conversation_id = x.conversation_id and n.comment is not null)
        order by x.conversation_id limit ${limit}) returning 1`
    case 'conversations':
      // A conversation goes once nothing references it: a survey younger than the cutoff keeps it.
      return sql`delete from conversations where id in (
        select c.id from conversations c
        where c.updated_at < ${cutoff} and c.lease_until < ${now}
          and not exists (select 1 from messages m where m.conversation_id = c.id)
          and not exists (select 1 from conversation_events e where e.conversation_id = c.id)
          and not exists (select 1 from nps_surveys n where n.conversation_id = c.id)
        order by c.id limit ${limit}) returning 1`
    case 'contacts':
      return sql`delete from contacts where id in (
        select k.id from contacts k
        where k.updated_at < ${cutoff} and not exists (select 1 from conversations c where c.contact_id = k.id)
          and not exists (select 1 from nps_surveys n where n.contact_id = k.id)
        order by k.id limit ${limit}) returning 1`
    case 'erased_wamids':
      return sql`delete from erased_wamids where hash in (
        select hash from erased_wamids where erased_at < ${cutoff} order by erased_at limit ${limit}) returning 1`
    case 'alerts':
      // By their own time, on its index: rows from several processes need not follow their ids.
      return sql`delete from alerts where id in (
        select id from alerts where raised_at < ${cutoff} order by raised_at limit ${limit}) returning 1`
  }
}

/**
 * The oldest rows of an append-only table, by id: rows are written with `created_at` = now,
 * so ids follow time. A batch reads the first `limit` rows by primary key and deletes those
 * before the first one that is not old yet; fewer than `limit` deleted means the purge is
 * through. No index on `created_at` is needed, and a table with nothing old costs one short
 * index read, not the full scan that `where created_at < cutoff limit n` makes when it
 * finds fewer than n.
 */
function oldestFirst(
  table: 'messages' | 'status_events' | 'quarantine' | 'outgoing_events' | 'conversation_events',
  cutoff: SQL,
  limit: number,
  timeColumn: 'created_at' | 'at' = 'created_at',
): SQL {
  const t = sql.raw(table)
  const time = sql.raw(timeColumn)
  return sql`delete from ${t} x
             using (select id, ${time} as created_at, min(id) filter (where ${time} >= ${cutoff}) over () as first_young
                    from (select id, ${time} from ${t} order by id limit ${limit}) head) h
             where x.id = h.id and h.created_at < ${cutoff} and (h.first_young is null or h.id < h.first_young)
             returning 1`
}
