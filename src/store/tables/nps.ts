import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import type { NpsCategory, SurveySkipReason } from '../../domain/index.js'
import { id, ts } from './columns.js'
import { contacts, conversations } from './conversations.js'

export const SURVEY_CATEGORIES = ['promoter', 'passive', 'detractor'] as const

/**
 * One NPS survey: planned when a conversation is resolved, then sent or skipped (with the
 * reason), then answered. One per resolution: `resolved_seq` is the conversation's last
 * inbound seq when it was resolved, so a second resolve plans nothing, and a survey whose
 * conversation has a newer message is stale. Erase and retention anonymise a row (no
 * conversation, contact, comment or outbox id) and keep score, category, department and
 * dates for the reports.
 */
export const npsSurveys = pgTable(
  'nps_surveys',
  {
    id: id(),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id),
    contactId: bigint('contact_id', { mode: 'number' }).references(() => contacts.id),
    resolvedSeq: integer('resolved_seq').notNull(),
    /** The conversation's department when it was resolved (a knowledge-base id); null: none. */
    department: text('department'),
    /** When the survey should leave (resolution + NPS_DELAY_MS); the reconciler rebuilds its wake-up from it. */
    dueAt: ts('due_at').notNull(),
    enqueuedAt: ts('enqueued_at'),
    attempts: integer('attempts').notNull().default(0),
    sentAt: ts('sent_at'),
    /** Why it was not sent: opted out, surveyed recently, outside the 24 h window without a template, template refused… */
    skippedReason: text('skipped_reason').$type<SurveySkipReason>(),
    /** The outbound message that carried it (the outbox row), when sent. */
    outboxId: bigint('outbox_id', { mode: 'number' }),
    /** Past this, an unanswered survey closes the conversation (sent_at + NPS_RESPONSE_WINDOW_MS). */
    expiresAt: ts('expires_at'),
    score: integer('score'),
    category: text('category').$type<NpsCategory>(),
    answeredAt: ts('answered_at'),
    comment: text('comment'),
    commentedAt: ts('commented_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('nps_surveys_conversation_resolution_key').on(t.conversationId, t.resolvedSeq),
    index('nps_surveys_contact_idx').on(t.contactId),
    index('nps_surveys_due_idx').on(t.dueAt).where(sql`${t.sentAt} is null and ${t.skippedReason} is null`),
    index('nps_surveys_expires_idx').on(t.expiresAt).where(sql`${t.answeredAt} is null and ${t.expiresAt} is not null`),
    index('nps_surveys_answered_idx').on(t.answeredAt).where(sql`${t.score} is not null`),
    check('nps_surveys_score_check', sql`${t.score} between 0 and 10`),
    check('nps_surveys_category_check', sql`${t.category} in ('promoter', 'passive', 'detractor')`),
    check('nps_surveys_answer_check', sql`(${t.score} is null) = (${t.category} is null) and (${t.score} is null) = (${t.answeredAt} is null)`),
    check('nps_surveys_sent_or_skipped_check', sql`${t.sentAt} is null or ${t.skippedReason} is null`),
  ],
)
