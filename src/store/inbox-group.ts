import { sql, type SQL } from 'drizzle-orm'
import { storableText, type DebounceSettings } from '../domain/index.js'
import { jsonText, nullableText } from './values.js'
import { isRefusedForContent, NOT_PREPARED, queryRows, sqlStateOf, type Db } from './db.js'
import { applyStatus, isErasedWamid, type AcceptedMessage, type InboundRow, type InboxBatch, type InboxCommitResult, type QuarantineRow, type StatusRow } from './inbox.js'

/** What one request of a group commit gets back: its own result, or its own failure. */
export type GroupCommitOutcome = { ok: true; result: InboxCommitResult } | { ok: false; error: unknown }

/**
 * Commits the inbox batches of several concurrent requests in one transaction, with one
 * multi-row statement per table (group commit). If the database refuses anything, each
 * request is committed again on its own, row by row (`commitInbox`), so one bad row never
 * fails the others. The transaction does database work only: on PGlite's single connection
 * any other I/O inside it would stall every request.
 */
export async function commitInboxGroup(
  db: Db,
  batches: readonly InboxBatch[],
  now: Date,
  debounce: DebounceSettings,
): Promise<GroupCommitOutcome[]> {
  try {
    const results = await db.transaction((tx) => groupCommit(tx as unknown as Db, batches, now, debounce))
    return results.map((result) => ({ ok: true, result }))
  } catch {
    // The group's error is not any one request's: each request now meets its own outcome.
    const outcomes: GroupCommitOutcome[] = []
    for (const b of batches) {
      try {
        outcomes.push({ ok: true, result: await commitInbox(db, b, now, debounce) })
      } catch (error) {
        outcomes.push({ ok: false, error })
      }
    }
    return outcomes
  }
}

/**
 * Commits one request's batch row by row: each message, status and quarantine row in its own
 * savepoint, so a row the database refuses for its content is quarantined raw instead of
 * failing the others (invariant 1). The group commit's fallback, with the same statements as
 * the group commit, one row at a time. A failure that is not the row's (the database down,
 * a statement cancelled) fails the request, so Meta redelivers it rather than a valid
 * message ending in quarantine.
 */
export async function commitInbox(db: Db, batch: InboxBatch, now: Date, debounce: DebounceSettings): Promise<InboxCommitResult> {
  return db.transaction(async (tx) => {
    const result: InboxCommitResult = { accepted: [], duplicates: 0, statuses: 0, quarantined: 0 }
    const refused: QuarantineRow[] = []
    for (const m of batch.messages) {
      const one = await inSavepoint(tx, (sp) => groupCommit(sp, [{ messages: [m], statuses: [], quarantine: [] }], now, debounce))
      if (one.ok) {
        result.accepted.push(...one.value[0]!.accepted)
        result.duplicates += one.value[0]!.duplicates
      } else {
        refused.push(refusedRow('message', m, one.error))
      }
    }
    for (const s of batch.statuses) {
      const done = await inSavepoint(tx, (sp) => applyStatus(sp, s))
      if (done.ok) result.statuses++
      else refused.push(refusedRow('status', s, done.error))
    }
    for (const q of [...batch.quarantine, ...refused]) {
      const kept = await inSavepoint(tx, (sp) => insertQuarantine(sp, [q]))
      // Only the reason can be refused (raw is bytes); keep the bytes under one we wrote.
      if (!kept.ok) await insertQuarantine(tx, [{ reason: `quarantine row refused by the database (${refusal(kept.error)}); its reason was dropped`, raw: q.raw }])
      result.quarantined++
    }
    return result
  })
}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** `work` in a savepoint; a refusal for the row's content is returned, any other failure thrown. */
async function inSavepoint<T>(tx: Db, work: (sp: Db) => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await tx.transaction((sp) => work(sp as unknown as Db)) }
  } catch (error) {
    if (isRefusedForContent(error)) return { ok: false, error }
    throw error
  }
}

function refusedRow(kind: 'message' | 'status', row: InboundRow | StatusRow, error: unknown): QuarantineRow {
  return { reason: `${kind} refused by the database (${refusal(error)})`, raw: Buffer.from(jsonText(row) ?? 'null') }
}

/** The SQLSTATE, or the class of an error raised before the statement reached the database. Never the driver's message: it quotes the row's values. */
function refusal(error: unknown): string {
  const state = sqlStateOf(error)
  return state !== undefined ? `SQLSTATE ${state}` : `before the statement: ${error instanceof Error ? error.name : typeof error}`
}

interface Pending {
  batch: number
  row: InboundRow
}

async function groupCommit(db: Db, batches: readonly InboxBatch[], now: Date, debounce: DebounceSettings): Promise<InboxCommitResult[]> {
  const results: InboxCommitResult[] = batches.map(() => ({ accepted: [], duplicates: 0, statuses: 0, quarantined: 0 }))
  const fresh = await dropDuplicates(db, batches.map((b) => b.messages.map(storableRow)), results)
  if (fresh.length > 0) {
    const contactIds = await upsertContacts(db, fresh, now)
    const seqs = await advanceConversations(db, fresh, contactIds, now, debounce)
    const inserted = await insertMessages(db, fresh, seqs, now)
    fresh.forEach((p, i) => {
      const id = inserted.get(p.row.wamid)
      if (id === undefined) {
        results[p.batch]!.duplicates++ // another process committed it in the meantime
      } else {
        results[p.batch]!.accepted.push({ ...seqs[i]!, messageId: id })
      }
    })
  }
  for (const [i, b] of batches.entries()) {
    for (const s of b.statuses) await applyStatus(db, s)
    results[i]!.statuses = b.statuses.length
  }
  const quarantine = batches.flatMap((b, i) => b.quarantine.map((q) => ({ ...q, batch: i })))
  await insertQuarantine(db, quarantine)
  for (const q of quarantine) results[q.batch]!.quarantined++
  return results
}

async function insertQuarantine(db: Db, rows: readonly QuarantineRow[]): Promise<void> {
  if (rows.length === 0) return
  // Bytes travel as base64 text: PGlite encodes a bytea parameter byte by byte in JS, and a
  // 2 MB body (kept whole) held its thread for 5 s; decoding base64 in the database takes 0.1 s.
  await db.execute(sql`insert into quarantine (reason, raw)
    select r, decode(b, 'base64') from unnest(
      ${sql.param(rows.map((q) => storableText(q.reason)))}::text[], ${sql.param(rows.map((q) => q.raw.toString('base64')))}::text[]) as t(r, b)`)
}

/**
 * Every text of a row as the database will store it, before anything is compared: a wamid
 * holding a lone surrogate is stored with U+FFFD, and must be looked up that way too.
 */
function storableRow(row: InboundRow): InboundRow {
  const text = (v: string | undefined) => (v === undefined ? undefined : storableText(v))
  return {
    ...row,
    phoneNumberId: storableText(row.phoneNumberId),
    customerKey: storableText(row.customerKey),
    waId: text(row.waId),
    userId: text(row.userId),
    profileName: text(row.profileName),
    wamid: storableText(row.wamid),
    type: storableText(row.type),
    text: text(row.text),
  }
}

/**
 * Rows whose wamid is already stored, or repeated within the group, are duplicates
 * (invariant 2); so are the wamids of an erased customer, for the 7 days Meta may redeliver
 * them (`erased_wamids`, one primary-key probe per wamid): they are not stored again.
 */
async function dropDuplicates(db: Db, messages: readonly InboundRow[][], results: InboxCommitResult[]): Promise<Pending[]> {
  const all = messages.flatMap((rows, batch) => rows.map((row) => ({ batch, row })))
  if (all.length === 0) return []
  const wamids = sql.param(all.map((p) => p.row.wamid))
  const stored = await queryRows<{ wamid: string }>(
    db,
    // Not prepared: its generic plan, made while messages was small, was a sequential scan
    // of every message for every webhook once the table had grown.
    sql`${sql.raw(NOT_PREPARED)} select wamid from messages where wamid = any(${wamids}::text[])
        union all
        select w from unnest(${wamids}::text[]) as w where ${isErasedWamid(sql`w`)}`,
  )
  const seen = new Set(stored.map((r) => r.wamid))
  const fresh: Pending[] = []
  for (const p of all) {
    if (seen.has(p.row.wamid)) {
      results[p.batch]!.duplicates++
    } else {
      seen.add(p.row.wamid)
      fresh.push(p)
    }
  }
  return fresh
}

async function upsertContacts(db: Db, fresh: Pending[], now: Date): Promise<Map<string, string>> {
  // ON CONFLICT DO UPDATE may touch a row once per statement: one row per customer.
  const byKey = new Map<string, InboundRow>()
  for (const { row } of fresh) {
    const prev = byKey.get(row.customerKey)
    byKey.set(row.customerKey, { ...row, profileName: row.profileName ?? prev?.profileName })
  }
  const rows = [...byKey.values()]
  const out = await queryRows<{ id: string; customer_key: string }>(
    db,
    sql`insert into contacts (customer_key, wa_id, user_id, profile_name, created_at, updated_at)
        select k, w, u, p, ${now}, ${now} from unnest(
          ${sql.param(rows.map((r) => r.customerKey))}::text[], ${sql.param(rows.map((r) => r.waId ?? null))}::text[],
          ${sql.param(rows.map((r) => r.userId ?? null))}::text[], ${sql.param(rows.map((r) => nullableText(r.profileName)))}::text[]) as t(k, w, u, p)
        on conflict (customer_key) do update set
          wa_id = coalesce(excluded.wa_id, contacts.wa_id),
          user_id = coalesce(excluded.user_id, contacts.user_id),
          profile_name = coalesce(excluded.profile_name, contacts.profile_name),
          updated_at = ${now}
        returning id, customer_key`,
  )
  return new Map(out.map((r) => [r.customer_key, String(r.id)]))
}

type Assigned = Omit<AcceptedMessage, 'messageId'>

/** One upsert per conversation adds its new messages' count to `last_seq`; each message takes its seq in arrival order. */
async function advanceConversations(
  db: Db,
  fresh: Pending[],
  contactIds: Map<string, string>,
  now: Date,
  debounce: DebounceSettings,
): Promise<Assigned[]> {
  const groups = new Map<string, { phoneNumberId: string; contactId: string; count: number }>()
  const keyOf = (row: InboundRow) => `${row.phoneNumberId}\u0000${contactIds.get(row.customerKey)}`
  for (const { row } of fresh) {
    const key = keyOf(row)
    const g = groups.get(key) ?? { phoneNumberId: row.phoneNumberId, contactId: contactIds.get(row.customerKey)!, count: 0 }
    g.count++
    groups.set(key, g)
  }
  const list = [...groups.values()]
  // The turn-due rule is the database's (migration 0004, docs/decisions/0008-turn-due-single-source.md).
  const dueAt = (firstUnansweredAt: SQL) =>
    sql`atende_turn_due_at(${now}::timestamptz, ${firstUnansweredAt}, ${debounce.debounceMs}::int, ${debounce.debounceMaxMs}::int)`
  const rows = await queryRows<{ id: string; phone_number_id: string; contact_id: string; last_seq: number; turn_due_at: unknown }>(
    db,
    sql`insert into conversations (phone_number_id, contact_id, last_seq, first_unanswered_at, last_inbound_at, turn_due_at, created_at, updated_at)
        select p, c, n, ${now}, ${now}, ${dueAt(sql`${now}::timestamptz`)}, ${now}, ${now} from unnest(
          ${sql.param(list.map((g) => g.phoneNumberId))}::text[], ${sql.param(list.map((g) => g.contactId))}::bigint[],
          ${sql.param(list.map((g) => g.count))}::int[]) as t(p, c, n)
        on conflict (phone_number_id, contact_id) do update set
          last_seq = conversations.last_seq + excluded.last_seq,
          first_unanswered_at = coalesce(conversations.first_unanswered_at, ${now}),
          last_inbound_at = ${now},
          turn_due_at = ${dueAt(sql`coalesce(conversations.first_unanswered_at, ${now})`)},
          status = case when conversations.status in ('resolved', 'awaiting_nps', 'closed') then 'open' else conversations.status end,
          updated_at = ${now}
        returning id, phone_number_id, contact_id, last_seq, turn_due_at`,
  )
  const next = new Map(
    rows.map((r) => {
      const g = groups.get(`${r.phone_number_id}\u0000${String(r.contact_id)}`)!
      return [`${r.phone_number_id}\u0000${String(r.contact_id)}`, { id: Number(r.id), seq: r.last_seq - g.count, dueAt: new Date(r.turn_due_at as string) }]
    }),
  )
  return fresh.map(({ row }) => {
    const c = next.get(keyOf(row))!
    c.seq++
    return { conversationId: c.id, seq: c.seq, turnDueAt: c.dueAt }
  })
}

async function insertMessages(db: Db, fresh: Pending[], seqs: Assigned[], now: Date): Promise<Map<string, number>> {
  const rows = fresh.map((p) => p.row)
  const out = await queryRows<{ id: string; wamid: string }>(
    db,
    sql`insert into messages (conversation_id, direction, wamid, seq, type, text, media, payload, provider_status, sent_at, created_at, updated_at)
        select c, 'in', w, s, ty, tx, m::jsonb, pl::jsonb, 'received', sa, ${now}, ${now} from unnest(
          ${sql.param(seqs.map((s) => s.conversationId))}::bigint[], ${sql.param(rows.map((r) => r.wamid))}::text[],
          ${sql.param(seqs.map((s) => s.seq))}::int[], ${sql.param(rows.map((r) => r.type))}::text[],
          ${sql.param(rows.map((r) => nullableText(r.text)))}::text[], ${sql.param(rows.map((r) => jsonText(r.media)))}::text[],
          ${sql.param(rows.map((r) => jsonText(r.payload)))}::text[], ${sql.param(rows.map((r) => r.sentAt.toISOString()))}::timestamptz[])
          as t(c, w, s, ty, tx, m, pl, sa)
        on conflict (wamid) do nothing
        returning id, wamid`,
  )
  return new Map(out.map((r) => [r.wamid, Number(r.id)]))
}
