import { sql, type SQL } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import { wamidHash } from './inbox.js'

/** A customer as the privacy API names them: by phone (`wa_id`) or by business-scoped user id. */
export type CustomerId = { kind: 'wa'; waId: string } | { kind: 'bsuid'; userId: string }

/** What identifies one customer's rows, read once and handed to every section. */
interface Scope {
  contactIds: number[]
  /** The `wa_id` and `user_id` values of those contacts: how statuses and quarantined parts name them. */
  ids: string[]
  conversationIds: number[]
  /** Their messages' wamids, in and out. */
  wamids: string[]
  /**
   * Groups of unanswered questions (`learning_proposals`, kind `unanswered`) holding one of
   * their questions. Read before anything is erased: erase removes their questions first.
   */
  groupIds: number[]
}

/**
 * One table's share of a customer's data. Export reads `rows`, erase runs `erase` (a
 * `delete … returning 1`, or an anonymising `update … returning 1`). A table that later holds customer data (NPS answers, learning
 * material) joins by adding its section, after the sections its rows reference: erase runs
 * the list backwards, so referencing rows go first.
 */
interface Section {
  table: string
  rows(s: Scope): SQL
  erase(s: Scope): SQL
}

const bigints = (v: number[]) => sql`${sql.param(v)}::bigint[]`
const texts = (v: string[]) => sql`${sql.param(v)}::text[]`

/** Status events of their messages, or addressed to them (Meta names the recipient by wa_id or user id). */
const theirStatus = (s: Scope) => sql`(e.wamid = any(${texts(s.wamids)}) or e.recipient = any(${texts(s.ids)})
  or e.payload->>'recipient_id' = any(${texts(s.ids)}) or e.payload->>'recipient_user_id' = any(${texts(s.ids)}))`

/**
 * An id shorter than this is never searched for in quarantined bytes: it would match
 * unrelated numbers (`"count":1`), and erase deletes what matches.
 */
const MIN_MENTION_CHARS = 5
/** Characters an id is made of: a mention is the id with none of them right before or after it. */
const ID_CHAR = 'A-Za-z0-9._-'

/**
 * Quarantined bytes that mention one of their ids as a whole token: a cheap byte search, then
 * a regular expression over the bytes' escape rendering (non-ASCII bytes become `\ooo`), so
 * `5511900000001` does not match inside `55119000000012`.
 */
function mentionsThem(s: Scope): SQL {
  const ids = s.ids.filter((id) => id.length >= MIN_MENTION_CHARS)
  const patterns = ids.map((id) => `(^|[^${ID_CHAR}])${id.replace(/[^A-Za-z0-9]/g, '\\$&')}($|[^${ID_CHAR}])`)
  return sql`exists (select 1 from unnest(${texts(ids)}, ${texts(patterns)}) as i(id, pattern)
    where position(convert_to(i.id, 'UTF8') in q.raw) > 0 and encode(q.raw, 'escape') ~ i.pattern)`
}

const SECTIONS: readonly Section[] = [
  {
    table: 'contacts',
    rows: (s) => sql`select to_jsonb(k) as row from contacts k where k.id = any(${bigints(s.contactIds)}) order by k.id`,
    erase: (s) => sql`delete from contacts where id = any(${bigints(s.contactIds)}) returning 1`,
  },
  {
    table: 'conversations',
    rows: (s) => sql`select to_jsonb(c) as row from conversations c where c.id = any(${bigints(s.conversationIds)}) order by c.id`,
    erase: (s) => sql`delete from conversations where id = any(${bigints(s.conversationIds)}) returning 1`,
  },
  {
    // In and out; an image's analysis is its `analysis` column.
    table: 'messages',
    rows: (s) => sql`select to_jsonb(m) as row from messages m where m.conversation_id = any(${bigints(s.conversationIds)})
                     order by m.conversation_id, m.seq, m.direction, m.part`,
    erase: (s) => sql`delete from messages where conversation_id = any(${bigints(s.conversationIds)}) returning 1`,
  },
  {
    // Issue #9: every lifecycle transition of their conversations, agents' names included.
    table: 'conversation_events',
    rows: (s) => sql`select to_jsonb(e) as row from conversation_events e where e.conversation_id = any(${bigints(s.conversationIds)}) order by e.id`,
    erase: (s) => sql`delete from conversation_events where conversation_id = any(${bigints(s.conversationIds)}) returning 1`,
  },
  {
    // Their NPS surveys. Erase anonymises rather than deletes: the row loses everything that
    // leads back to them (conversation, contact, comment, the outbound message) and keeps
    // score, category, department and dates, so past reports do not change (issue #9).
    // The count reported under `removed` is of rows anonymised.
    table: 'nps_surveys',
    rows: (s) => sql`select to_jsonb(n) as row from nps_surveys n
                     where n.conversation_id = any(${bigints(s.conversationIds)}) or n.contact_id = any(${bigints(s.contactIds)}) order by n.id`,
    erase: (s) => sql`update nps_surveys set conversation_id = null, contact_id = null, comment = null, outbox_id = null
                      where conversation_id = any(${bigints(s.conversationIds)}) or contact_id = any(${bigints(s.contactIds)}) returning 1`,
  },
  {
    // Issue #9, milestone D: what the learning task recorded about their conversations.
    table: 'learning_records',
    rows: (s) => sql`select to_jsonb(r) as row from learning_records r where r.conversation_id = any(${bigints(s.conversationIds)}) order by r.conversation_id`,
    erase: (s) => sql`delete from learning_records where conversation_id = any(${bigints(s.conversationIds)}) returning 1`,
  },
  {
    // Proposals quoting their conversations (a question and an agent's answer, a detractor
    // comment), whatever their review, and the groups of unanswered questions one of their
    // questions is in: a group's key is the words of the question that opened it, perhaps
    // theirs (a name, a CPF), so the group goes whole, other customers' questions with it
    // (those stay in their messages). An approved entry's knowledge-base addition is reviewed
    // business text and stays; erase only cuts its link (knowledge_additions.proposal_id).
    table: 'learning_proposals',
    rows: (s) => sql`select to_jsonb(p) as row from learning_proposals p
                     where p.conversation_id = any(${bigints(s.conversationIds)}) or p.id = any(${bigints(s.groupIds)}) order by p.id`,
    erase: (s) => sql`delete from learning_proposals
                      where conversation_id = any(${bigints(s.conversationIds)}) or id = any(${bigints(s.groupIds)}) returning 1`,
  },
  {
    // Their questions inside groups of unanswered questions; the group loses one from its count.
    table: 'learning_proposal_sources',
    rows: (s) => sql`select to_jsonb(x) as row from learning_proposal_sources x where x.conversation_id = any(${bigints(s.conversationIds)}) order by x.message_id`,
    erase: (s) => sql`delete from learning_proposal_sources where conversation_id = any(${bigints(s.conversationIds)}) returning 1`,
  },
  {
    table: 'status_events',
    rows: (s) => sql`select to_jsonb(e) as row from status_events e where ${theirStatus(s)} order by e.id`,
    erase: (s) => sql`delete from status_events e where ${theirStatus(s)} returning 1`,
  },
  {
    // Raw bytes as base64: they need not be text.
    table: 'quarantine',
    rows: (s) => sql`select to_jsonb(q) - 'raw' || jsonb_build_object('raw_base64', translate(encode(q.raw, 'base64'), E'\n', '')) as row
                     from quarantine q where ${mentionsThem(s)} order by q.id`,
    erase: (s) => sql`delete from quarantine q where ${mentionsThem(s)} returning 1`,
  },
  {
    // Events about them not yet purged, delivered or not: an erase drops the undelivered ones
    // (and eraseOnce adds a contact.erased event for the receiver).
    table: 'outgoing_events',
    rows: (s) => sql`select to_jsonb(e) as row from outgoing_events e where e.conversation_id = any(${bigints(s.conversationIds)}) order by e.id`,
    erase: (s) => sql`delete from outgoing_events where conversation_id = any(${bigints(s.conversationIds)}) returning 1`,
  },
]

/** The tables an erase reports on, in export order. */
export const CUSTOMER_TABLES: readonly string[] = SECTIONS.map((s) => s.table)

/**
 * The customer's contact rows: the one named, and any other row of the same person (a
 * customer first seen by user id and later by phone has one row of each, sharing the user id).
 * `lock` takes their row locks, and their conversations', for an erase.
 */
async function resolveScope(db: Db, customer: CustomerId, lock: boolean): Promise<Scope | undefined> {
  const key = customer.kind === 'wa' ? `wa:${customer.waId}` : `bsuid:${customer.userId}`
  const waId = customer.kind === 'wa' ? customer.waId : null
  const userId = customer.kind === 'bsuid' ? customer.userId : null
  const forUpdate = lock ? sql`for update` : sql``
  const contacts = await queryRows<{ id: string; wa_id: string | null; user_id: string | null }>(
    db,
    sql`with seed as (select id, wa_id, user_id from contacts
                      where customer_key = ${key} or wa_id = ${waId}::text or user_id = ${userId}::text)
        select k.id, k.wa_id, k.user_id from contacts k
        where k.id in (select id from seed) or k.wa_id in (select wa_id from seed) or k.user_id in (select user_id from seed)
        order by k.id ${forUpdate}`,
  )
  if (contacts.length === 0) return undefined
  const contactIds = contacts.map((k) => Number(k.id))
  // Locked before any child row is touched, as every turn's fenced write locks it first: a
  // turn in flight then finds no conversation and writes nothing (invariant 6's fence).
  const conversations = await queryRows<{ id: string }>(
    db,
    sql`select id from conversations where contact_id = any(${bigints(contactIds)}) order by id ${forUpdate}`,
  )
  const conversationIds = conversations.map((c) => Number(c.id))
  const wamids = await queryRows<{ wamid: string }>(
    db,
    sql`select wamid from messages where conversation_id = any(${bigints(conversationIds)}) and wamid is not null`,
  )
  const groups = await queryRows<{ id: string }>(
    db,
    sql`select distinct proposal_id as id from learning_proposal_sources where conversation_id = any(${bigints(conversationIds)})`,
  )
  const ids = [...new Set(contacts.flatMap((k) => [k.wa_id, k.user_id]).filter((v): v is string => v !== null && v !== ''))]
  return { contactIds, ids, conversationIds, wamids: wamids.map((w) => w.wamid), groupIds: groups.map((g) => Number(g.id)) }
}

export interface CustomerExport {
  /** One per table, in a fixed order; a table holding nothing of theirs has no rows. */
  sections: Array<{ table: string; rows: unknown[] }>
}

/**
 * Everything stored about one customer, table by table, as the rows stand (`to_jsonb`: every
 * column, new ones included). One read-only snapshot, so the sections agree with each other.
 * Undefined: no such customer (never seen, or erased).
 */
export async function exportCustomer(db: Db, customer: CustomerId): Promise<CustomerExport | undefined> {
  return db.transaction(
    async (tx) => {
      const scope = await resolveScope(tx as unknown as Db, customer, false)
      if (scope === undefined) return undefined
      const sections: CustomerExport['sections'] = []
      for (const s of SECTIONS) {
        const rows = await queryRows<{ row: unknown }>(tx, s.rows(scope))
        sections.push({ table: s.table, rows: rows.map((r) => r.row) })
      }
      return { sections }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

export interface ErasedCustomer {
  /** Rows deleted, per table (every table of {@link CUSTOMER_TABLES}, zeros included). */
  removed: Record<string, number>
  /** Wamid hashes written to `erased_wamids`, kept 7 days. */
  erasedWamids: number
  /** The deleted rows whose queue jobs must go too. */
  conversationIds: number[]
  messageIds: number[]
}

/**
 * Deletes one customer everywhere in the database, in one transaction, and keeps the sha256
 * of each of their wamids for 7 days so that Meta's redeliveries are recognised (`erased_wamids`).
 * Their conversations are locked first and deleted, so a turn in flight finds nothing to
 * write to: its fenced writes (reply parts, send, completion) all go through that row.
 * Undefined: no such customer.
 */
export async function eraseCustomer(db: Db, customer: CustomerId, now: Date): Promise<ErasedCustomer | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await eraseOnce(db, customer, now)
    } catch (err) {
      // A turn completing at that instant locks its reply's message row before the
      // conversation, the reverse of this order: PostgreSQL breaks the deadlock by failing
      // one side, and the erase simply runs again.
      if (attempt >= ERASE_TRIES || !RETRYABLE_STATES.has(sqlState(err) ?? '')) throw err
    }
  }
}

const ERASE_TRIES = 3
/** deadlock_detected, serialization_failure. */
const RETRYABLE_STATES = new Set(['40P01', '40001'])

/**
 * The SQLSTATE of a database error, through drizzle's wrapper. Both drivers put it in `code`,
 * and neither shares an error class with the other, hence reading the field.
 */
function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

async function eraseOnce(db: Db, customer: CustomerId, now: Date): Promise<ErasedCustomer | undefined> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const scope = await resolveScope(tx, customer, true)
    if (scope === undefined) return undefined
    const messageIds = await queryRows<{ id: string }>(tx, sql`select id from messages where conversation_id = any(${bigints(scope.conversationIds)})`)
    // Wamids of statuses addressed to them too: a reply sent while the erase ran has no row of its own.
    const hashed = await queryRows<{ n: number }>(
      tx,
      sql`with w as (select unnest(${texts(scope.wamids)}) as wamid union select e.wamid from status_events e where ${theirStatus(scope)}),
               kept as (insert into erased_wamids (hash, erased_at) select distinct ${wamidHash(sql`w.wamid`)}, ${now}::timestamptz from w
                        on conflict (hash) do update set erased_at = excluded.erased_at returning 1)
          select count(*)::int as n from kept`,
    )
    const removed: Record<string, number> = {}
    for (const s of SECTIONS.toReversed()) {
      const [r] = await queryRows<{ n: number }>(tx, sql`with d as (${s.erase(scope)}) select count(*)::int as n from d`)
      removed[s.table] = r!.n
    }
    // LGPD: tell the systems their data was shared with. Only where events were ever on (the
    // cursor's row exists); the event names the customer key until it is delivered, then goes.
    const contact = customer.kind === 'wa' ? customer.waId : `bsuid:${customer.userId}`
    await tx.execute(sql`insert into outgoing_events (source_key, type, conversation_id, contact, at, data)
                         select 'erased:' || gen_random_uuid(), 'contact.erased', null, ${contact}, ${now}::timestamptz, '{}'::jsonb
                         where exists (select 1 from event_cursors where name = 'rows')`)
    return {
      removed: Object.fromEntries(CUSTOMER_TABLES.map((t) => [t, removed[t]!])),
      erasedWamids: hashed[0]!.n,
      conversationIds: scope.conversationIds,
      messageIds: messageIds.map((m) => Number(m.id)),
    }
  })
}
