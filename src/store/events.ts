/**
 * Outgoing events (issue #11): a cursor turns committed rows into `outgoing_events`, and a
 * relay delivers them. Nothing here runs on the webhook's path: events are read from what
 * the pipeline already wrote.
 */
import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'

export const EVENT_TYPES = ['message.received', 'message.sent', 'conversation.handoff', 'conversation.resolved', 'nps.answered', 'contact.erased'] as const
export type EventType = (typeof EVENT_TYPES)[number]

/** One event as stored; its body is built from these fields, the same on every redelivery. */
export interface OutgoingEvent {
  id: number
  eventId: string
  type: EventType
  conversationId: number | null
  contact: string
  at: Date
  data: Record<string, unknown>
  attempts: number
}

/** Arbitrary constant shared by every Atende process: one cursor pass at a time. */
const CURSOR_LOCK_KEY = 7_401_245_011

/** `contacts.customer_key` (`wa:<id>` | `bsuid:<id>`) as an event's `contact`. */
const contactOf = (key: string) => sql`(case when ${sql.raw(key)} like 'wa:%' then substr(${sql.raw(key)}, 4) else ${sql.raw(key)} end)`

/**
 * One cursor pass: every row changed since the last pass (less `lookBackMs`, which covers a
 * transaction that committed after a later one) becomes its event, unless it already did
 * (`source_key` is unique). Inserted in time order per conversation, which is the order they
 * are delivered in. The first pass ever only records where events begin: history is not sent.
 * Resolves to the events added; undefined when another process is making a pass.
 */
export async function collectEvents(db: Db, lookBackMs: number): Promise<number | undefined> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${CURSOR_LOCK_KEY}) as locked`)
    if (lock?.locked !== true) return undefined
    const [cursor] = await queryRows<{ position: Date | string }>(tx, sql`select position from event_cursors where name = 'rows'`)
    if (cursor === undefined) {
      await tx.execute(sql`insert into event_cursors (name, position) values ('rows', now()) on conflict (name) do nothing`)
      return 0
    }
    const since = sql`${new Date(new Date(cursor.position).getTime() - lookBackMs)}::timestamptz`
    const [added] = await queryRows<{ n: number }>(
      tx,
      sql`with candidates as (
            select 'in:' || m.id as source_key, 'message.received' as type, m.conversation_id, ${contactOf('k.customer_key')} as contact,
                   m.created_at as at, 0 as rank, m.seq, m.part,
                   jsonb_strip_nulls(jsonb_build_object('messageId', m.id, 'wamid', m.wamid, 'seq', m.seq, 'type', m.type, 'text', m.text,
                     'media', m.media, 'payload', m.payload, 'phoneNumberId', c.phone_number_id, 'profileName', k.profile_name)) as data
            from messages m join conversations c on c.id = m.conversation_id join contacts k on k.id = c.contact_id
            where m.updated_at > ${since} and m.direction = 'in'
            union all
            select 'out:' || m.id, 'message.sent', m.conversation_id, ${contactOf('k.customer_key')},
                   coalesce(m.sent_at, m.updated_at), 1, m.seq, m.part,
                   jsonb_strip_nulls(jsonb_build_object('messageId', m.id, 'wamid', m.wamid, 'kind', m.kind, 'seq', m.seq, 'part', m.part,
                     'type', m.type, 'text', m.text, 'phoneNumberId', c.phone_number_id))
            from messages m join conversations c on c.id = m.conversation_id join contacts k on k.id = c.contact_id
            where m.updated_at > ${since} and m.direction = 'out' and m.wamid is not null
              and m.provider_status in ('sent', 'delivered', 'read')
            union all
            -- Where the status was written without a lifecycle row (the turn's own hand-off and
            -- resolution, until it records conversation_events: TODO #9): one event per
            -- conversation's hand-off, one per resolving turn.
            select 'handoff:' || c.id, 'conversation.handoff', c.id, ${contactOf('k.customer_key')}, c.updated_at, 2, c.answered_seq, 0,
                   jsonb_strip_nulls(jsonb_build_object('department', c.department, 'phoneNumberId', c.phone_number_id))
            from conversations c join contacts k on k.id = c.contact_id
            where c.updated_at > ${since} and c.status = 'handoff'
              and not exists (select 1 from conversation_events e where e.conversation_id = c.id and e.to_status = 'handoff')
            union all
            select 'resolved:' || c.id || ':' || c.answered_seq, 'conversation.resolved', c.id, ${contactOf('k.customer_key')}, c.updated_at, 2, c.answered_seq, 0,
                   jsonb_strip_nulls(jsonb_build_object('department', c.department, 'phoneNumberId', c.phone_number_id))
            from conversations c join contacts k on k.id = c.contact_id
            where c.updated_at > ${since} and c.status = 'resolved'
              and not exists (select 1 from conversation_events e where e.conversation_id = c.id and e.to_status = 'resolved')
            union all
            -- Each change of status into a hand-off or a resolution (the lifecycle's own rows).
            select 'conversation:' || e.id, 'conversation.' || e.to_status, e.conversation_id, ${contactOf('k.customer_key')}, e.at, 2, 0, 0,
                   jsonb_strip_nulls(jsonb_build_object('fromStatus', e.from_status, 'cause', e.cause, 'agent', e.agent,
                     'department', c.department, 'phoneNumberId', c.phone_number_id))
            from conversation_events e join conversations c on c.id = e.conversation_id join contacts k on k.id = c.contact_id
            where e.at > ${since} and e.to_status in ('handoff', 'resolved') and e.from_status <> e.to_status
            union all
            select 'nps:' || n.id, 'nps.answered', n.conversation_id, ${contactOf('k.customer_key')}, n.answered_at, 3, 0, 0,
                   jsonb_strip_nulls(jsonb_build_object('score', n.score, 'category', n.category, 'department', n.department))
            from nps_surveys n join conversations c on c.id = n.conversation_id join contacts k on k.id = c.contact_id
            where n.answered_at > ${since} and n.score is not null
          ),
          added as (
            insert into outgoing_events (source_key, type, conversation_id, contact, at, data)
            select x.source_key, x.type, x.conversation_id, x.contact, x.at, x.data from candidates x
            where not exists (select 1 from outgoing_events e where e.source_key = x.source_key)
            order by x.conversation_id, x.at, x.rank, x.seq, x.part
            on conflict (source_key) do nothing
            returning 1
          )
          select count(*)::int as n from added`,
    )
    await tx.execute(sql`update event_cursors set position = greatest(position, now()) where name = 'rows'`)
    return added!.n
  })
}

/**
 * Takes or renews the delivery lease until `now + leaseMs` for `owner`: one process delivers
 * at a time, so events of one conversation leave in order. Resolves to whether `owner` holds it.
 */
export async function claimRelayLease(db: Db, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const rows = await queryRows<{ ok: number }>(
    db,
    sql`insert into event_cursors (name, position, owner) values ('relay', ${new Date(now.getTime() + leaseMs)}::timestamptz, ${owner})
        on conflict (name) do update set position = excluded.position, owner = excluded.owner
        where event_cursors.owner = excluded.owner or event_cursors.position < ${now}::timestamptz
        returning 1 as ok`,
  )
  return rows.length > 0
}

/** Gives the lease up (shutdown), so another process delivers at once. */
export async function releaseRelayLease(db: Db, owner: string): Promise<void> {
  await db.execute(sql`update event_cursors set position = 'epoch' where name = 'relay' and owner = ${owner}`)
}

/**
 * The events to deliver now: for each conversation its oldest undelivered event, if due (a
 * later one waits until it is delivered: order per conversation). `contact.erased` events
 * have no conversation and wait for nothing.
 */
export async function dueEvents(db: Db, now: Date, limit: number): Promise<OutgoingEvent[]> {
  const rows = await queryRows<{
    id: number | string; event_id: string; type: EventType; conversation_id: number | string | null
    contact: string; at: Date | string; data: Record<string, unknown> | string; attempts: number
  }>(
    db,
    sql`select e.id, e.event_id, e.type, e.conversation_id, e.contact, e.at, e.data, e.attempts
        from outgoing_events e
        where e.delivered_at is null and e.next_attempt_at <= ${now}::timestamptz
          and not exists (select 1 from outgoing_events p
                          where p.conversation_id = e.conversation_id and p.delivered_at is null and p.id < e.id)
        order by e.id limit ${limit}`,
  )
  return rows.map((r) => ({
    id: Number(r.id),
    eventId: r.event_id,
    type: r.type,
    conversationId: r.conversation_id === null ? null : Number(r.conversation_id),
    contact: r.contact,
    at: new Date(r.at),
    data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
    attempts: r.attempts,
  }))
}

export async function markEventDelivered(db: Db, id: number, now: Date): Promise<void> {
  await db.execute(sql`update outgoing_events set delivered_at = ${now}::timestamptz, attempts = attempts + 1 where id = ${id} and delivered_at is null`)
}

export async function markEventFailed(db: Db, id: number, nextAttemptAt: Date): Promise<void> {
  await db.execute(sql`update outgoing_events set attempts = attempts + 1, next_attempt_at = ${nextAttemptAt}::timestamptz
                       where id = ${id} and delivered_at is null`)
}

/**
 * Deletes delivered events older than `before`: the receiver has them, and they hold
 * customer data. Resolves to how many went.
 */
export async function purgeDeliveredEvents(db: Db, before: Date, limit: number): Promise<number> {
  const [r] = await queryRows<{ n: number }>(
    db,
    sql`with gone as (delete from outgoing_events where id in (
          select id from outgoing_events where delivered_at < ${before}::timestamptz order by delivered_at limit ${limit}) returning 1)
        select count(*)::int as n from gone`,
  )
  return r!.n
}

/** Undelivered events, and the age of the oldest (s): what `/api/queue/metrics` may show. */
export async function pendingEvents(db: Db, now: Date): Promise<{ count: number; oldestSeconds: number | null }> {
  const [r] = await queryRows<{ n: number; oldest: Date | string | null }>(
    db,
    sql`select count(*)::int as n, min(created_at) as oldest from outgoing_events where delivered_at is null`,
  )
  return { count: r!.n, oldestSeconds: r!.oldest === null ? null : Math.max(0, Math.round((now.getTime() - new Date(r!.oldest).getTime()) / 1000)) }
}
