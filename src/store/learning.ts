/**
 * The learning tasks' rows (issue #9, milestone D): one record per conversation, the
 * proposals a reviewer approves or rejects, and the approved knowledge-base additions both AI
 * providers read. Nothing reaches the bot without an approval (approveProposal).
 */
import { sql } from 'drizzle-orm'
import type { LearningMessage, PersonalDataSpan, ReplySource } from '../domain/index.js'
import { queryRows, type Db } from './db.js'
import { toDate } from './messages.js'
import type { ConversationStatus, LearningProposalKind, LearningProposalStatus } from './schema.js'
import { jsonText, nullableText } from './values.js'

/**
 * Records that a learning run is due for a conversation now (on resolve, on close): the
 * database column the reconciler rebuilds the wake-up from. Idempotent.
 */
export async function markLearningDue(db: Db, conversationId: number, now: Date): Promise<boolean> {
  const rows = await queryRows<{ conversation_id: string }>(
    db,
    sql`insert into learning_records (conversation_id, due_at, enqueued_at, created_at, updated_at)
        select id, ${now}, ${now}, ${now}, ${now} from conversations where id = ${conversationId}
        on conflict (conversation_id) do update set due_at = excluded.due_at, enqueued_at = excluded.enqueued_at, updated_at = excluded.updated_at
        returning conversation_id`,
  )
  return rows.length > 0
}

export async function markLearningEnqueued(db: Db, conversationIds: readonly number[], at: Date): Promise<void> {
  if (conversationIds.length === 0) return
  await db.execute(sql`update learning_records set enqueued_at = ${at}
                       where conversation_id = any(${sql.param([...conversationIds])}::bigint[])`)
}

/** A personal-data finding in one field of a proposal. */
export interface ProposalFlag extends PersonalDataSpan {
  field: 'question' | 'answer'
}

/** Everything one learning run reads about a conversation. */
export interface LearningInput {
  conversationId: number
  status: ConversationStatus
  department: string | null
  /** The customer's WhatsApp profile name, to flag it in proposals. */
  customerName: string | null
  /** In conversation order: seq, inbound before outbound, then as written. */
  messages: LearningMessage[]
  nps: { score: number; comment: string | null } | undefined
}

/** Undefined: the conversation is gone (erased). */
export async function loadLearningInput(db: Db, conversationId: number): Promise<LearningInput | undefined> {
  const [c] = await queryRows<{ status: ConversationStatus; department: string | null; profile_name: string | null }>(
    db,
    sql`select c.status, c.department, k.profile_name from conversations c join contacts k on k.id = c.contact_id where c.id = ${conversationId}`,
  )
  if (c === undefined) return undefined
  // Conversation order: seq, the customer's message before what answered it, outbound rows as numbered.
  const rows = await queryRows<{
    id: string; direction: 'in' | 'out'; kind: LearningMessage['kind'] | null; seq: number; part: number; text: string | null; payload: Record<string, unknown> | null
  }>(
    db,
    sql`select id, direction, kind, seq, part, text, payload from messages
        where conversation_id = ${conversationId}
          and (direction = 'in' or provider_status not in ('superseded', 'failed'))
        order by seq, direction, outbound_seq, id`,
  )
  const messages = rows.map((r): LearningMessage => {
    const reply = r.direction === 'out' && r.kind === 'reply'
    // Replies and department menus carry their source (a menu's is `fallback`, turn-menu.ts).
    const source = reply || (r.direction === 'out' && r.kind === 'menu') ? (r.payload?.source as ReplySource | undefined) : undefined
    return {
      id: Number(r.id),
      direction: r.direction,
      kind: r.kind ?? undefined,
      seq: r.seq,
      text: r.text,
      source,
      handoff: reply && r.payload?.handoff === true,
      apology: reply && r.part >= 1000,
    }
  })
  // The latest answered survey of the conversation (store/nps.ts); its comment may come later.
  const [nps] = await queryRows<{ score: number; comment: string | null }>(
    db,
    sql`select score, comment from nps_surveys where conversation_id = ${conversationId} and score is not null
        order by answered_at desc, id desc limit 1`,
  )
  return {
    conversationId,
    status: c.status,
    department: c.department,
    customerName: c.profile_name,
    messages,
    nps: nps === undefined ? undefined : { score: Number(nps.score), comment: nps.comment },
  }
}

export interface LearningRun {
  conversationId: number
  /** When the run read its input: a due time set after it stays due (a later event needs another run). */
  startedAt: Date
  now: Date
  record: {
    department: string | null
    replies: Array<{ seq: number; source: ReplySource | null }>
    fallbacks: number
    handoffReason: string | null
    npsScore: number | null
    npsComment: string | null
  }
  faq: Array<{ sourceMessageId: number; question: string; answer: string; department: string | null; flags: ProposalFlag[] }>
  unanswered: Array<{ messageId: number; question: string; groupKey: string; flags: ProposalFlag[] }>
  detractor: { comment: string; score: number; department: string | null; flags: ProposalFlag[] } | undefined
}

/**
 * Stores one run, in one transaction, so that a second run of the same conversation updates
 * what the first wrote and never duplicates it: the record by conversation, a `faq` proposal
 * by its question message, a fallback question by its message (it joins one group), the
 * detractor comment by conversation. Reviewed proposals are left as the reviewer left them.
 */
export async function saveLearningRun(db: Db, run: LearningRun): Promise<void> {
  const { conversationId: c, now, record: r } = run
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into learning_records (conversation_id, processed_at, runs, department, replies, fallbacks, handoff_reason,
                                        nps_score, nps_comment, created_at, updated_at)
          values (${c}, ${now}, 1, ${r.department}, ${jsonText(r.replies)}::jsonb, ${r.fallbacks}, ${r.handoffReason},
                  ${r.npsScore}, ${nullableText(r.npsComment ?? undefined)}, ${now}, ${now})
          on conflict (conversation_id) do update set
            processed_at = excluded.processed_at, runs = learning_records.runs + 1, department = excluded.department,
            replies = excluded.replies, fallbacks = excluded.fallbacks, handoff_reason = excluded.handoff_reason,
            nps_score = excluded.nps_score, nps_comment = excluded.nps_comment, updated_at = excluded.updated_at,
            due_at = case when learning_records.due_at <= ${run.startedAt} then null else learning_records.due_at end`,
    )
    for (const f of run.faq) {
      await tx.execute(
        sql`insert into learning_proposals (kind, conversation_id, source_message_id, question, answer, department, flags, created_at, updated_at)
            values ('faq', ${c}, ${f.sourceMessageId}, ${nullableText(f.question)}, ${nullableText(f.answer)}, ${f.department},
                    ${jsonText(f.flags)}::jsonb, ${now}, ${now})
            on conflict (source_message_id) where kind = 'faq' do update set
              question = excluded.question, answer = excluded.answer, department = excluded.department, flags = excluded.flags,
              updated_at = excluded.updated_at
            where learning_proposals.status = 'pending'`,
      )
      // Answered now: no longer one of the unanswered.
      await tx.execute(sql`delete from learning_proposal_sources where message_id = ${f.sourceMessageId}`)
    }
    for (const u of run.unanswered) await addToGroup(tx as unknown as Db, c, u, now)
    const d = run.detractor
    if (d !== undefined) {
      await tx.execute(
        sql`insert into learning_proposals (kind, conversation_id, question, department, score, flags, created_at, updated_at)
            values ('detractor', ${c}, ${nullableText(d.comment)}, ${d.department}, ${d.score}, ${jsonText(d.flags)}::jsonb, ${now}, ${now})
            on conflict (conversation_id) where kind = 'detractor' do update set
              question = excluded.question, department = excluded.department, score = excluded.score, flags = excluded.flags,
              updated_at = excluded.updated_at
            where learning_proposals.status = 'pending'`,
      )
    }
  })
}

/** A fallback question joins the pending group chosen for it (or a new one), once. */
async function addToGroup(db: Db, conversationId: number, u: LearningRun['unanswered'][number], now: Date): Promise<void> {
  const [known] = await queryRows<{ n: number }>(db, sql`select 1 as n from learning_proposal_sources where message_id = ${u.messageId}`)
  if (known !== undefined) return
  await db.execute(
    sql`insert into learning_proposals (kind, group_key, flags, created_at, updated_at)
        values ('unanswered', ${u.groupKey}, '[]'::jsonb, ${now}, ${now})
        on conflict (group_key) where kind = 'unanswered' and status = 'pending' do nothing`,
  )
  await db.execute(
    sql`insert into learning_proposal_sources (message_id, proposal_id, conversation_id, question, created_at)
        select ${u.messageId}, id, ${conversationId}, ${nullableText(u.question)}, ${now} from learning_proposals
        where kind = 'unanswered' and status = 'pending' and group_key = ${u.groupKey}
        on conflict (message_id) do nothing`,
  )
}

/** The keys of the pending groups of unanswered questions, newest first (a new question picks the most similar). */
export async function listPendingGroupKeys(db: Db, limit = 2000): Promise<string[]> {
  const rows = await queryRows<{ group_key: string }>(
    db,
    sql`select group_key from learning_proposals where kind = 'unanswered' and status = 'pending' order by id desc limit ${limit}`,
  )
  return rows.map((r) => r.group_key)
}

export interface LearningProposal {
  id: number
  kind: LearningProposalKind
  status: LearningProposalStatus
  question: string | null
  answer: string | null
  department: string | null
  /** How many questions it stands for: an `unanswered` group's members; 1 otherwise. */
  count: number
  createdAt: Date
  updatedAt: Date
  reviewedAt: Date | null
  score: number | null
  flags: ProposalFlag[]
  /** The name of the customer the shown question came from (flags and approval look for it). */
  customerName: string | null
}

/** How many proposals one listing returns at most. */
export const MAX_PROPOSALS_PAGE = 200

/**
 * Proposals, newest first. An `unanswered` group shows its latest question, its count of
 * questions, and the flags of that question; a group whose every question was erased is left out.
 */
export async function listProposals(
  db: Db,
  query: { status?: LearningProposalStatus | undefined; kind?: LearningProposalKind | undefined; limit: number; id?: number },
): Promise<LearningProposal[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`select p.id, p.kind, p.status, p.department, p.score, p.flags, p.created_at, p.updated_at, p.reviewed_at,
               coalesce(p.question, s.question) as question, p.answer, k.profile_name,
               case when p.kind = 'unanswered' then coalesce(s.n, 0) else 1 end as count
        from learning_proposals p
        left join lateral (select l.question, l.conversation_id,
                                  (select count(*)::int from learning_proposal_sources x where x.proposal_id = p.id) as n
                           from (select x.question, x.conversation_id from learning_proposal_sources x where x.proposal_id = p.id
                                 order by x.created_at desc, x.message_id desc limit 1) l
                           where p.kind = 'unanswered') s on true
        left join conversations c on c.id = coalesce(p.conversation_id, s.conversation_id)
        left join contacts k on k.id = c.contact_id
        where (${query.status ?? null}::text is null or p.status = ${query.status ?? null}::text)
          and (${query.kind ?? null}::text is null or p.kind = ${query.kind ?? null}::text)
          and (${query.id ?? null}::bigint is null or p.id = ${query.id ?? null}::bigint)
          and (p.kind <> 'unanswered' or coalesce(s.n, 0) > 0)
        order by p.id desc limit ${Math.min(query.limit, MAX_PROPOSALS_PAGE)}`,
  )
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as LearningProposalKind,
    status: r.status as LearningProposalStatus,
    question: r.question as string | null,
    answer: r.answer as string | null,
    department: r.department as string | null,
    count: Number(r.count),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
    reviewedAt: toDate(r.reviewed_at),
    score: r.score === null ? null : Number(r.score),
    flags: (r.flags ?? []) as ProposalFlag[],
    customerName: r.profile_name as string | null,
  }))
}

export async function loadProposal(db: Db, id: number): Promise<LearningProposal | undefined> {
  return (await listProposals(db, { id, limit: 1 }))[0]
}

export type ReviewResult =
  | { kind: 'done'; proposal: { id: number; status: LearningProposalStatus }; additionId: number | null }
  | { kind: 'notFound' }
  | { kind: 'wrongState'; status: LearningProposalStatus }

/**
 * Approves a pending proposal with the reviewer's final text. A `faq` or `unanswered` one
 * becomes a knowledge-base addition in the same transaction (the providers read it from
 * their next turn); a detractor comment is only marked read.
 */
export async function approveProposal(
  db: Db,
  input: { id: number; question: string; answer: string; department: string; now: Date },
): Promise<ReviewResult> {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db
    const [p] = await queryRows<{ kind: LearningProposalKind; status: LearningProposalStatus }>(
      tx,
      sql`select kind, status from learning_proposals where id = ${input.id} for update`,
    )
    if (p === undefined) return { kind: 'notFound' }
    if (p.status !== 'pending') return { kind: 'wrongState', status: p.status }
    await tx.execute(sql`update learning_proposals set status = 'approved', reviewed_at = ${input.now}, updated_at = ${input.now} where id = ${input.id}`)
    if (p.kind === 'detractor') return { kind: 'done', proposal: { id: input.id, status: 'approved' }, additionId: null }
    const [a] = await queryRows<{ id: string }>(
      tx,
      sql`insert into knowledge_additions (proposal_id, department, question, answer, created_at)
          values (${input.id}, ${input.department}, ${nullableText(input.question)}, ${nullableText(input.answer)}, ${input.now})
          returning id`,
    )
    return { kind: 'done', proposal: { id: input.id, status: 'approved' }, additionId: Number(a!.id) }
  })
}

export async function rejectProposal(db: Db, input: { id: number; now: Date }): Promise<ReviewResult> {
  const [r] = await queryRows<{ before: LearningProposalStatus; changed: string | null }>(
    db,
    sql`with before as (select id, status from learning_proposals where id = ${input.id} for update),
        changed as (update learning_proposals p set status = 'rejected', reviewed_at = ${input.now}, updated_at = ${input.now}
                    from before b where p.id = b.id and b.status = 'pending' returning p.id)
        select b.status as before, ch.id as changed from before b left join changed ch on true`,
  )
  if (r === undefined) return { kind: 'notFound' }
  if (r.changed === null) return { kind: 'wrongState', status: r.before }
  return { kind: 'done', proposal: { id: input.id, status: 'rejected' }, additionId: null }
}

export interface KnowledgeAddition {
  id: number
  department: string
  question: string
  answer: string
}

/**
 * A value that changes whenever the additions do (one added, one removed): checked before
 * every turn, so every process sees an approval from its next turn without a restart.
 */
export async function knowledgeVersion(db: Db): Promise<string> {
  const [r] = await queryRows<{ n: number; last: string | null }>(db, sql`select count(*)::int as n, max(id) as last from knowledge_additions`)
  return `${r?.n ?? 0}:${r?.last ?? 0}`
}

export async function loadKnowledgeAdditions(db: Db): Promise<KnowledgeAddition[]> {
  const rows = await queryRows<{ id: string; department: string; question: string; answer: string }>(
    db,
    sql`select id, department, question, answer from knowledge_additions order by id`,
  )
  return rows.map((r) => ({ id: Number(r.id), department: r.department, question: r.question, answer: r.answer }))
}
