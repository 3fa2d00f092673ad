import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { id, ts } from './columns.js'
import { conversations } from './conversations.js'
import { messages } from './messages.js'

/**
 * What the learning task recorded about one conversation (issue #9, milestone D), one row per
 * conversation, updated by every run. `due_at` is the learning task's wake-up in the
 * database: set by `enqueueLearning`, cleared by the run that covered it; the reconciler
 * sends it again when Redis lost it. Customer data: goes with the conversation.
 */
export const learningRecords = pgTable(
  'learning_records',
  {
    conversationId: bigint('conversation_id', { mode: 'number' })
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** A learning run is due from here; null when none is waiting. */
    dueAt: ts('due_at'),
    enqueuedAt: ts('enqueued_at'),
    processedAt: ts('processed_at'),
    runs: integer('runs').notNull().default(0),
    department: text('department'),
    /** One entry per bot reply: `{ seq, source }` (src/domain/learning.ts). No text. */
    replies: jsonb('replies').notNull().default(sql`'[]'::jsonb`),
    fallbacks: integer('fallbacks').notNull().default(0),
    handoffReason: text('handoff_reason'),
    npsScore: integer('nps_score'),
    npsComment: text('nps_comment'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('learning_records_due_idx').on(t.dueAt).where(sql`${t.dueAt} is not null`)],
)

export const LEARNING_PROPOSAL_KINDS = ['faq', 'unanswered', 'detractor'] as const
export type LearningProposalKind = (typeof LEARNING_PROPOSAL_KINDS)[number]
export const LEARNING_PROPOSAL_STATUSES = ['pending', 'approved', 'rejected'] as const
export type LearningProposalStatus = (typeof LEARNING_PROPOSAL_STATUSES)[number]

/**
 * What a reviewer may teach the bot. `faq`: a question the bot fell back on and a person's
 * answer (one per question message). `unanswered`: a group of similar fallback questions
 * nobody answered, its members in `learning_proposal_sources` (the count). `detractor`: a
 * detractor's NPS comment, to read. Nothing here reaches the bot until approved
 * (`knowledge_additions`). Rows quoting a conversation go with it (erase, retention).
 */
export const learningProposals = pgTable(
  'learning_proposals',
  {
    id: id(),
    kind: text('kind').$type<LearningProposalKind>().notNull(),
    status: text('status').$type<LearningProposalStatus>().notNull().default('pending'),
    conversationId: bigint('conversation_id', { mode: 'number' }).references(() => conversations.id, { onDelete: 'cascade' }),
    /** `faq`: the question's last inbound message. */
    sourceMessageId: bigint('source_message_id', { mode: 'number' }).references(() => messages.id, { onDelete: 'cascade' }),
    /** `unanswered`: the group's terms (stems), sorted; its questions are its sources'. */
    groupKey: text('group_key'),
    question: text('question'),
    answer: text('answer'),
    department: text('department'),
    /** `detractor`: the NPS score. */
    score: integer('score'),
    /** Personal data found in question/answer: `[{ field, kind, start, end }]`. */
    flags: jsonb('flags').notNull().default(sql`'[]'::jsonb`),
    reviewedAt: ts('reviewed_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('learning_proposals_faq_key').on(t.sourceMessageId).where(sql`${t.kind} = 'faq'`),
    uniqueIndex('learning_proposals_detractor_key').on(t.conversationId).where(sql`${t.kind} = 'detractor'`),
    uniqueIndex('learning_proposals_group_key').on(t.groupKey).where(sql`${t.kind} = 'unanswered' and ${t.status} = 'pending'`),
    index('learning_proposals_status_idx').on(t.status, t.id),
    check('learning_proposals_kind_check', sql`${t.kind} in ('faq', 'unanswered', 'detractor')`),
    check('learning_proposals_status_check', sql`${t.status} in ('pending', 'approved', 'rejected')`),
  ],
)

/** One fallback question of an `unanswered` group; a message joins one group at most. */
export const learningProposalSources = pgTable(
  'learning_proposal_sources',
  {
    messageId: bigint('message_id', { mode: 'number' })
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    proposalId: bigint('proposal_id', { mode: 'number' })
      .notNull()
      .references(() => learningProposals.id, { onDelete: 'cascade' }),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('learning_proposal_sources_proposal_idx').on(t.proposalId, t.createdAt)],
)

/**
 * Approved FAQ entries: the knowledge base's additions, read by both AI providers on top of
 * the YAML file (which stays the business's base). Reviewed text, no longer customer data:
 * it stays when the conversation it came from is erased (the link is cut).
 */
export const knowledgeAdditions = pgTable('knowledge_additions', {
  id: id(),
  proposalId: bigint('proposal_id', { mode: 'number' })
    .unique()
    .references(() => learningProposals.id, { onDelete: 'set null' }),
  department: text('department').notNull(),
  question: text('question').notNull(),
  answer: text('answer').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
})
