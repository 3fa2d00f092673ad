import { and, eq, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import { netPromoterScore, npsCategory, type NpsCounts, type SurveySkipReason } from '../domain/index.js'
import type { Db } from './db.js'
import { contacts, npsSurveys } from './schema.js'

export interface PlannedSurvey {
  conversationId: number
  contactId: number
  /** The conversation's last inbound seq at resolution: one survey per resolution. */
  resolvedSeq: number
  department: string | null
  /** resolution + NPS_DELAY_MS */
  dueAt: Date
}

/**
 * Plans the survey of one resolution. Undefined: this resolution already has one (a second
 * resolve plans nothing).
 */
export async function planSurvey(db: Db, survey: PlannedSurvey): Promise<{ id: number } | undefined> {
  const [row] = await db.insert(npsSurveys).values(survey).onConflictDoNothing().returning({ id: npsSurveys.id })
  return row
}

const pending = (id: number) => and(eq(npsSurveys.id, id), isNull(npsSurveys.sentAt), isNull(npsSurveys.skippedReason))

/**
 * The survey left: stamps it (and the contact's `last_surveyed_at`, from which
 * NPS_MIN_INTERVAL_DAYS counts) in one transaction. False: it was already sent or skipped.
 */
export async function markSurveySent(db: Db, input: { id: number; at: Date; outboxId: number | null; expiresAt: Date }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(npsSurveys)
      .set({ sentAt: input.at, outboxId: input.outboxId, expiresAt: input.expiresAt, updatedAt: input.at })
      .where(pending(input.id))
      .returning({ contactId: npsSurveys.contactId })
    if (row === undefined) return false
    if (row.contactId !== null) await tx.update(contacts).set({ lastSurveyedAt: input.at }).where(eq(contacts.id, row.contactId))
    return true
  })
}

/** The survey will not be sent, and why. False: it was already sent or skipped. */
export async function markSurveySkipped(db: Db, input: { id: number; reason: SurveySkipReason; at: Date }): Promise<boolean> {
  const rows = await db.update(npsSurveys).set({ skippedReason: input.reason, updatedAt: input.at }).where(pending(input.id)).returning({ id: npsSurveys.id })
  return rows.length > 0
}

/** Records the score of a sent survey, once. False: not sent, or already scored. */
export async function recordSurveyScore(db: Db, input: { id: number; score: number; at: Date }): Promise<boolean> {
  const category = npsCategory(input.score)
  const rows = await db
    .update(npsSurveys)
    .set({ score: input.score, category, answeredAt: input.at, updatedAt: input.at })
    .where(and(eq(npsSurveys.id, input.id), isNotNull(npsSurveys.sentAt), isNull(npsSurveys.score)))
    .returning({ id: npsSurveys.id })
  return rows.length > 0
}

/** Records the reason given after the score, once. False: not scored yet, or already commented. */
export async function recordSurveyComment(db: Db, input: { id: number; comment: string; at: Date }): Promise<boolean> {
  const rows = await db
    .update(npsSurveys)
    .set({ comment: input.comment, commentedAt: input.at, updatedAt: input.at })
    .where(and(eq(npsSurveys.id, input.id), isNotNull(npsSurveys.score), isNull(npsSurveys.comment)))
    .returning({ id: npsSurveys.id })
  return rows.length > 0
}

/** "parar": the contact is never surveyed again. Keeps the first opt-out's time. */
export async function optOutOfSurveys(db: Db, contactId: number, at: Date): Promise<void> {
  await db.update(contacts).set({ npsOptedOutAt: at }).where(and(eq(contacts.id, contactId), isNull(contacts.npsOptedOutAt)))
}

export interface NpsReportQuery {
  /** Inclusive. */
  from: Date
  /** Exclusive. */
  to: Date
  /** A knowledge-base department id; undefined: every department. */
  department?: string | undefined
}

export interface NpsFigures extends NpsCounts {
  responses: number
  /** % promoters − % detractors, rounded; null with no responses. */
  nps: number | null
}

export interface NpsReport extends NpsFigures {
  /** One entry per department with responses; `department: null` for conversations without one. */
  byDepartment: Array<NpsFigures & { department: string | null }>
}

/** Scores answered in [from, to), counted by category, overall and per department. */
export async function npsReport(db: Db, query: NpsReportQuery): Promise<NpsReport> {
  const count = (min: number, max: number) => sql<number>`(count(*) filter (where ${npsSurveys.score} between ${min} and ${max}))::int`
  const rows = await db
    .select({
      department: npsSurveys.department,
      promoters: count(9, 10),
      passives: count(7, 8),
      detractors: count(0, 6),
    })
    .from(npsSurveys)
    .where(
      and(
        isNotNull(npsSurveys.score),
        gte(npsSurveys.answeredAt, query.from),
        lt(npsSurveys.answeredAt, query.to),
        query.department === undefined ? undefined : eq(npsSurveys.department, query.department),
      ),
    )
    .groupBy(npsSurveys.department)
    .orderBy(sql`${npsSurveys.department} asc nulls last`)
  const figures = (c: NpsCounts): NpsFigures => {
    const counts = { promoters: Number(c.promoters), passives: Number(c.passives), detractors: Number(c.detractors) }
    return { responses: counts.promoters + counts.passives + counts.detractors, ...counts, nps: netPromoterScore(counts) }
  }
  const total = rows.reduce((t, r) => ({ promoters: t.promoters + r.promoters, passives: t.passives + r.passives, detractors: t.detractors + r.detractors }), {
    promoters: 0,
    passives: 0,
    detractors: 0,
  })
  return { ...figures(total), byDepartment: rows.map((r) => ({ department: r.department, ...figures(r) })) }
}
