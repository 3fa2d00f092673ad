/**
 * The lifecycle's timers as columns (issue #9, milestone B): the idle resolution
 * (`conversations.idle_due_at`), the survey's due time (`nps_surveys.due_at`) and its answer
 * window (`nps_surveys.expires_at`). The nps-survey processor reads them through
 * {@link loadLifecycleTimers}; the reconciler finds the overdue ones through
 * {@link findOverdueLifecycle}, so a wake-up lost with Redis is rebuilt, never an in-memory timer.
 */
import { sql } from 'drizzle-orm'
import type { ConversationStatus } from '../domain/index.js'
import { queryRows, type Db } from './db.js'
import { anyId, toDate } from './messages.js'

/**
 * Plans the NPS survey of the conversation's current resolution (`resolved_seq` = its last
 * inbound seq), due `delayMs` from `at`. Undefined: this resolution has a survey already (a
 * second resolve plans nothing), or no such conversation.
 */
export async function planResolutionSurvey(
  db: Db,
  input: { conversationId: number; at: Date; delayMs: number },
): Promise<{ id: number; dueAt: Date } | undefined> {
  const dueAt = new Date(input.at.getTime() + input.delayMs)
  const [r] = await queryRows<{ id: string }>(
    db,
    sql`insert into nps_surveys (conversation_id, contact_id, resolved_seq, department, due_at, created_at, updated_at)
        select c.id, c.contact_id, c.last_seq, c.department, ${dueAt}, ${input.at}, ${input.at}
        from conversations c where c.id = ${input.conversationId}
        on conflict (conversation_id, resolved_seq) do nothing
        returning id`,
  )
  return r === undefined ? undefined : { id: Number(r.id), dueAt }
}

/** Clears the idle timer once it has fired, unless a newer turn has set another meanwhile. */
export async function clearIdleDue(db: Db, conversationId: number, seen: Date): Promise<void> {
  await db.execute(sql`update conversations set idle_due_at = null where id = ${conversationId} and idle_due_at = ${seen}`)
}

export interface SurveyTimer {
  id: number
  resolvedSeq: number
  dueAt: Date
  attempts: number
}

export interface LifecycleTimers {
  conversationId: number
  status: ConversationStatus
  contactId: number
  lastSeq: number
  answeredSeq: number
  turnDueAt: Date | null
  idleDueAt: Date | null
  /** Meta's timestamp of the customer's last message: the 24 h window counts from it. */
  lastCustomerMessageAt: Date | null
  optedOutAt: Date | null
  lastSurveyedAt: Date | null
  /** The survey planned and neither sent nor skipped yet, the oldest first. */
  pendingSurvey: SurveyTimer | undefined
  /** The sent, unanswered survey whose window closes the conversation, while it is `awaiting_nps`. */
  openSurvey: { id: number; expiresAt: Date } | undefined
}

/** Everything the nps-survey processor decides from, in one read. Undefined: no such conversation. */
export async function loadLifecycleTimers(db: Db, conversationId: number): Promise<LifecycleTimers | undefined> {
  const [r] = await queryRows<Record<string, unknown>>(
    db,
    sql`select c.id, c.status, c.contact_id, c.last_seq, c.answered_seq, c.turn_due_at, c.idle_due_at,
               k.nps_opted_out_at, k.last_surveyed_at,
               (select coalesce(m.sent_at, m.created_at) from messages m
                where m.conversation_id = c.id and m.direction = 'in' order by m.seq desc limit 1) as last_customer_at,
               (select jsonb_build_object('id', s.id, 'resolved_seq', s.resolved_seq, 'due_at', s.due_at, 'attempts', s.attempts)
                from nps_surveys s where s.conversation_id = c.id and s.sent_at is null and s.skipped_reason is null
                order by s.due_at limit 1) as pending,
               (select jsonb_build_object('id', s.id, 'expires_at', s.expires_at)
                from nps_surveys s where c.status = 'awaiting_nps' and s.conversation_id = c.id and s.sent_at is not null
                  and s.expires_at is not null
                order by s.sent_at desc limit 1) as open_survey
        from conversations c join contacts k on k.id = c.contact_id
        where c.id = ${conversationId}`,
  )
  if (r === undefined) return undefined
  const pending = r.pending as Record<string, unknown> | null
  const open = r.open_survey as Record<string, unknown> | null
  return {
    conversationId: Number(r.id),
    status: r.status as ConversationStatus,
    contactId: Number(r.contact_id),
    lastSeq: r.last_seq as number,
    answeredSeq: r.answered_seq as number,
    turnDueAt: toDate(r.turn_due_at),
    idleDueAt: toDate(r.idle_due_at),
    lastCustomerMessageAt: toDate(r.last_customer_at),
    optedOutAt: toDate(r.nps_opted_out_at),
    lastSurveyedAt: toDate(r.last_surveyed_at),
    pendingSurvey:
      pending === null
        ? undefined
        : { id: Number(pending.id), resolvedSeq: pending.resolved_seq as number, dueAt: toDate(pending.due_at)!, attempts: pending.attempts as number },
    openSurvey: open === null ? undefined : { id: Number(open.id), expiresAt: toDate(open.expires_at)! },
  }
}

/** Counts one more firing of a survey (its attempts survive an emptied Redis). */
export async function countSurveyAttempt(db: Db, surveyId: number): Promise<number> {
  const [r] = await queryRows<{ attempts: number }>(db, sql`update nps_surveys set attempts = attempts + 1 where id = ${surveyId} returning attempts`)
  return r?.attempts ?? 0
}

export interface SurveyInProgress {
  id: number
  /** `score`: waiting for the score; `reason`: scored, waiting for the reason (may be skipped). */
  phase: 'score' | 'reason' | 'done'
  score: number | null
}

/** The sent survey a customer message in `awaiting_nps` answers. Undefined: none. */
export async function currentSurvey(db: Db, conversationId: number): Promise<SurveyInProgress | undefined> {
  const [r] = await queryRows<{ id: string; score: number | null; comment: string | null }>(
    db,
    sql`select id, score, comment from nps_surveys where conversation_id = ${conversationId} and sent_at is not null
        order by sent_at desc limit 1`,
  )
  if (r === undefined) return undefined
  return { id: Number(r.id), score: r.score, phase: r.score === null ? 'score' : r.comment === null ? 'reason' : 'done' }
}

/** An outbox row's outcome as the survey reads it after the sender ran. */
export async function outboundOutcome(db: Db, rowId: number): Promise<{ status: string; metaCode: number | undefined } | undefined> {
  const [r] = await queryRows<{ provider_status: string; error: unknown }>(db, sql`select provider_status, error from messages where id = ${rowId}`)
  if (r === undefined) return undefined
  const error = (typeof r.error === 'string' ? JSON.parse(r.error) : r.error) as { metaCode?: unknown } | null
  return { status: r.provider_status, metaCode: typeof error?.metaCode === 'number' ? error.metaCode : undefined }
}

/**
 * Conversations whose lifecycle timer (idle, survey due, survey window) was due `afterMs`
 * ago: the reconciler wakes their nps-survey job again. Surveys are stamped `enqueued_at`
 * so the next pass leaves them alone for `afterMs`; the idle timer needs no stamp, the
 * processor clears it when it fires.
 */
export async function findOverdueLifecycle(db: Db, now: Date, afterMs: number, limit: number): Promise<Array<{ conversationId: number; runAt: Date }>> {
  const cutoff = new Date(now.getTime() - afterMs)
  const rows = await queryRows<{ conversation_id: string; run_at: unknown; survey_id: string | null }>(
    db,
    sql`(select s.conversation_id, s.due_at as run_at, s.id as survey_id from nps_surveys s
         where s.sent_at is null and s.skipped_reason is null and s.conversation_id is not null and s.due_at < ${cutoff}
           and (s.enqueued_at is null or s.enqueued_at < ${cutoff})
         order by s.due_at limit ${limit})
        union all
        (select s.conversation_id, s.expires_at, s.id from nps_surveys s join conversations c on c.id = s.conversation_id
         where c.status = 'awaiting_nps' and s.answered_at is null and s.expires_at < ${cutoff}
           and (s.enqueued_at is null or s.enqueued_at < ${cutoff})
         order by s.expires_at limit ${limit})
        union all
        (select id, idle_due_at, null from conversations where idle_due_at < ${cutoff} order by idle_due_at limit ${limit})`,
  )
  const surveys = rows.filter((r) => r.survey_id !== null).map((r) => Number(r.survey_id))
  if (surveys.length > 0) await db.execute(sql`update nps_surveys set enqueued_at = ${now} where id = ${anyId(surveys)}`)
  const byConversation = new Map<number, Date>()
  for (const r of rows) {
    const id = Number(r.conversation_id)
    const at = toDate(r.run_at)!
    const seen = byConversation.get(id)
    if (seen === undefined || at < seen) byConversation.set(id, at)
  }
  return [...byConversation].map(([conversationId, runAt]) => ({ conversationId, runAt }))
}

/** "parar" / "não quero pesquisa": the conversation's customer is never surveyed again (the first opt-out's time is kept). */
export async function optOutConversationContact(db: Db, conversationId: number, at: Date): Promise<void> {
  await db.execute(sql`update contacts set nps_opted_out_at = ${at}, updated_at = ${at}
                       where id = (select contact_id from conversations where id = ${conversationId}) and nps_opted_out_at is null`)
}
