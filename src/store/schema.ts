import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { SIMULATOR_PHONE_NUMBER_ID, type ConversationStatus, type LifecycleEvent, type NpsCategory, type SurveySkipReason } from '../domain/index.js'

const id = () => bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity()
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
})

/** One customer, as WhatsApp identifies them: by phone (`wa_id`) or business-scoped user id. */
export const contacts = pgTable('contacts', {
  id: id(),
  /** `wa:<wa_id>` or `bsuid:<from_user_id>`; the key conversations hang off. */
  customerKey: text('customer_key').notNull().unique(),
  waId: text('wa_id'),
  userId: text('user_id'),
  profileName: text('profile_name'),
  /** "parar" / "não quero pesquisa": never surveyed again. */
  npsOptedOutAt: ts('nps_opted_out_at'),
  /** When the last survey left: NPS_MIN_INTERVAL_DAYS counts from here. */
  lastSurveyedAt: ts('last_surveyed_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

// The lifecycle's rules own the status list (src/domain/lifecycle.ts); the check below repeats it for the database.
export { CONVERSATION_STATUSES, type ConversationStatus } from '../domain/index.js'

/** One customer thread on one business number. The turn and debounce columns live here. */
export const conversations = pgTable(
  'conversations',
  {
    id: id(),
    phoneNumberId: text('phone_number_id').notNull(),
    contactId: bigint('contact_id', { mode: 'number' })
      .notNull()
      .references(() => contacts.id),
    status: text('status').$type<ConversationStatus>().notNull().default('open'),
    department: text('department'),
    /** Highest inbound `seq` handed out; the next message gets `last_seq + 1`. */
    lastSeq: integer('last_seq').notNull().default(0),
    /** Every inbound message with `seq` ≤ this is covered by a turn. */
    answeredSeq: integer('answered_seq').notNull().default(0),
    firstUnansweredAt: ts('first_unanswered_at'),
    lastInboundAt: ts('last_inbound_at'),
    /** When the next turn may run (debounce); null when nothing is waiting for an answer. */
    turnDueAt: ts('turn_due_at'),
    /** Fencing token of the current turn lease; every write of a turn checks it. */
    turnToken: bigint('turn_token', { mode: 'number' }).notNull().default(0),
    leaseUntil: ts('lease_until').notNull().default(sql`'epoch'`),
    /** Highest `outbound_seq` handed out; the next outbound row gets `last_outbound_seq + 1`. */
    lastOutboundSeq: integer('last_outbound_seq').notNull().default(0),
    /** Fencing token of the outbox sender's lease (non-reply rows); see store/outbound.ts. */
    outboxToken: bigint('outbox_token', { mode: 'number' }).notNull().default(0),
    outboxLeaseUntil: ts('outbox_lease_until').notNull().default(sql`'epoch'`),
    /** Attempts of the pending turn, counted here so an emptied Redis cannot reset them. */
    turnAttempts: integer('turn_attempts').notNull().default(0),
    turnEnqueuedAt: ts('turn_enqueued_at'),
    /**
     * When the customer's silence after the bot's last answer resolves the conversation
     * (CONVERSATION_IDLE_MS); null when nothing waits. A column the reconciler reads, never an
     * in-memory timer.
     */
    idleDueAt: ts('idle_due_at'),
    /**
     * When a hand-off the customer (or the bot) started, still waiting for a person, raises its
     * alert: HANDOFF_ALERT_MS of business time after it began. Cleared by any agent action and
     * by the alert itself; a column the reconciler reads, never an in-memory timer.
     */
    handoffAlertDueAt: ts('handoff_alert_due_at'),
    /**
     * A conversation of the dashboard's simulator (docs/decisions/0026): NPS, metrics, events
     * and learning leave these out. Computed from the number, so it can never disagree with it.
     */
    simulated: boolean('simulated')
      .notNull()
      .generatedAlwaysAs(sql.raw(`phone_number_id = '${SIMULATOR_PHONE_NUMBER_ID}'`)),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_number_contact_key').on(t.phoneNumberId, t.contactId),
    // The dashboard's change feed asks what changed since a moment (src/store/change-feed.ts).
    index('conversations_updated_at_idx').on(t.updatedAt),
    index('conversations_turn_due_idx').on(t.turnDueAt).where(sql`${t.turnDueAt} is not null`),
    index('conversations_idle_due_idx').on(t.idleDueAt).where(sql`${t.idleDueAt} is not null`),
    index('conversations_handoff_alert_due_idx').on(t.handoffAlertDueAt).where(sql`${t.handoffAlertDueAt} is not null`),
    check(
      'conversations_status_check',
      sql`${t.status} in ('open', 'handoff', 'resolved', 'awaiting_nps', 'closed')`,
    ),
  ],
)

export type MessageDirection = 'in' | 'out'

/**
 * Who an outbound row speaks for: the bot's `reply` (a turn's parts, superseded by a newer
 * turn), an `agent`'s message, the NPS `survey`, a department `menu`, a business `template`.
 */
export const OUTBOUND_KINDS = ['reply', 'agent', 'survey', 'menu', 'template'] as const
export type OutboundKind = (typeof OUTBOUND_KINDS)[number]

/** Messages in and out. Inbound rows are the inbox; outbound rows are the outbox. */
export const messages = pgTable(
  'messages',
  {
    id: id(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id),
    direction: text('direction').$type<MessageDirection>().notNull(),
    /** Meta's message id; unique, so a redelivered webhook inserts nothing. Null until an outbound part is sent. */
    wamid: text('wamid'),
    /**
     * Inbound: position in the conversation. Outbound: the inbound `seq` a reply answers; for
     * any other kind, the conversation's last inbound `seq` when it was written (for display order).
     */
    seq: integer('seq').notNull(),
    /** Outbound: part number of a reply split in several messages; inbound and other kinds: 0. */
    part: integer('part').notNull().default(0),
    /** Outbound only: see {@link OutboundKind}. Null for inbound rows. */
    kind: text('kind').$type<OutboundKind>(),
    /** Outbound only: this row's place among the conversation's outbound rows, whatever their kind. */
    outboundSeq: integer('outbound_seq'),
    /** Outbound only: what is sent (`OutboundContent`: text, template or interactive), validated on write. */
    content: jsonb('content'),
    /** Outbound agent messages: the caller's `Idempotency-Key`, unique per conversation. */
    idempotencyKey: text('idempotency_key'),
    type: text('type').notNull(),
    text: text('text'),
    /** Media reference (id, mime type, sha256, caption, filename) for image/audio/video/document/sticker. */
    media: jsonb('media'),
    /** The type-specific fields that have no column (location, contacts, reaction, interactive, unknown types). */
    payload: jsonb('payload'),
    /** Inbound images: what the image analysis read (codes, parsed boleto/PIX, or a vision description). Null until analysed. */
    analysis: jsonb('analysis'),
    /** Inbound: `received`. Outbound: pending → sending → sent → delivered → read, or failed / unknown. */
    providerStatus: text('provider_status').notNull(),
    error: jsonb('error'),
    /** Meta's timestamp (one-second resolution): for display, never for ordering. */
    sentAt: ts('sent_at'),
    turnToken: bigint('turn_token', { mode: 'number' }),
    enqueuedAt: ts('enqueued_at'),
    processedAt: ts('processed_at'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_wamid_key').on(t.wamid),
    // The outgoing-events cursor reads what changed lately (src/store/events.ts).
    index('messages_updated_at_idx').on(t.updatedAt),
    // Conversation order (the turn's history, the admin views): seq, inbound first, then outbound in the order written.
    index('messages_conversation_order_idx').on(t.conversationId, t.seq, t.direction, t.outboundSeq),
    uniqueIndex('messages_inbound_seq_key').on(t.conversationId, t.seq).where(sql`${t.direction} = 'in'`),
    // Only a reply is keyed by the inbound seq it answers; other kinds never collide with it.
    uniqueIndex('messages_reply_seq_part_key').on(t.conversationId, t.seq, t.part).where(sql`${t.kind} = 'reply'`),
    uniqueIndex('messages_outbound_seq_key').on(t.conversationId, t.outboundSeq).where(sql`${t.direction} = 'out'`),
    uniqueIndex('messages_idempotency_key').on(t.conversationId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    // The outbox sender's and the unknown count's lookups: unsettled outbound rows only.
    index('messages_outbox_open_idx').on(t.conversationId, t.outboundSeq)
      .where(sql`${t.direction} = 'out' and ${t.providerStatus} in ('pending', 'sending', 'unknown')`),
    index('messages_unprocessed_idx').on(t.createdAt).where(sql`${t.processedAt} is null and ${t.direction} = 'in'`),
    check('messages_direction_check', sql`${t.direction} in ('in', 'out')`),
    check(
      'messages_kind_check',
      sql`(${t.direction} = 'in' and ${t.kind} is null and ${t.outboundSeq} is null)
        or (${t.direction} = 'out' and ${t.kind} in ('reply', 'agent', 'survey', 'menu', 'template') and ${t.outboundSeq} is not null)`,
    ),
  ],
)

/** Every delivery status Meta reported, kept even when it matches no message of ours. */
export const statusEvents = pgTable(
  'status_events',
  {
    id: id(),
    wamid: text('wamid').notNull(),
    status: text('status').notNull(),
    recipient: text('recipient'),
    errors: jsonb('errors'),
    payload: jsonb('payload').notNull(),
    occurredAt: ts('occurred_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('status_events_wamid_idx').on(t.wamid)],
)

/** Correctly signed payloads (or parts of them) we could not parse: kept raw, never lost. */
export const quarantine = pgTable('quarantine', {
  id: id(),
  reason: text('reason').notNull(),
  raw: bytea('raw').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
})

/**
 * The sha256 of every wamid of an erased customer, kept 7 days (Meta redelivers for up to 7
 * days): a late redelivery is recognised as a duplicate and not stored again. A hash, so the
 * table names no message; a wamid is too random to guess back from it (docs/privacy.md).
 */
export const erasedWamids = pgTable(
  'erased_wamids',
  {
    hash: bytea('hash').primaryKey(),
    erasedAt: ts('erased_at').notNull(),
  },
  (t) => [index('erased_wamids_erased_at_idx').on(t.erasedAt)],
)

/** When each periodic task (the retention purge) last ran, shared by every process. */
export const scheduledRuns = pgTable('scheduled_runs', {
  name: text('name').primaryKey(),
  lastRunAt: ts('last_run_at').notNull(),
})

/**
 * Logged-in dashboard sessions (docs/decisions/0024). The cookie carries a random id; only its
 * sha256 is stored, so a copy of this table opens no session. In the database, not in memory,
 * so every `api` process knows every session and a logout ends it everywhere.
 */
export const adminSessions = pgTable(
  'admin_sessions',
  {
    idHash: bytea('id_hash').primaryKey(),
    /** `admin` (ADMIN_TOKEN) or `agent` (AGENT_TOKENS: the inbox only). */
    role: text('role').$type<'admin' | 'agent'>().notNull(),
    /** Who acts: the agent's name, or `admin`. Never taken from a request body. */
    agent: text('agent').notNull(),
    /**
     * sha256 of the token that opened the session: a session ends when its token is changed or
     * removed from the configuration.
     */
    tokenHash: bytea('token_hash').notNull(),
    /** Sent back in `X-CSRF-Token` by every mutation of this session. */
    csrfToken: text('csrf_token').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [
    index('admin_sessions_expires_at_idx').on(t.expiresAt),
    check('admin_sessions_role_check', sql`${t.role} in ('admin', 'agent')`),
  ],
)

/**
 * Events for the business's own systems (EVENTS_WEBHOOK_URL), derived from committed rows by
 * a cursor and delivered at least once, in `id` order per conversation. Holds customer data
 * (the event's `data`): part of export, erase and retention (docs/privacy.md).
 */
export const outgoingEvents = pgTable(
  'outgoing_events',
  {
    id: id(),
    /** The event's `id` in its body: the receiver's idempotency key, the same on every redelivery. */
    eventId: uuid('event_id').notNull().defaultRandom().unique(),
    /** The row the event was derived from (`in:<message id>`, …): each row makes one event. */
    sourceKey: text('source_key').notNull().unique(),
    type: text('type').notNull(),
    /** Null for `contact.erased` (the conversation is gone). */
    conversationId: bigint('conversation_id', { mode: 'number' }),
    /** The customer key: the WhatsApp id, or `bsuid:<id>`. */
    contact: text('contact').notNull(),
    at: ts('at').notNull(),
    data: jsonb('data').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    deliveredAt: ts('delivered_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('outgoing_events_pending_idx').on(t.conversationId, t.id).where(sql`${t.deliveredAt} is null`),
    index('outgoing_events_delivered_idx').on(t.deliveredAt).where(sql`${t.deliveredAt} is not null`),
  ],
)

/**
 * The outgoing events' shared state: `rows`, how far the cursor has read (rows changed after
 * `position`, less a look-back, are read again; the row exists once events were ever on), and
 * `relay`, the delivery lease (`owner` delivers until `position`).
 */
export const eventCursors = pgTable('event_cursors', {
  name: text('name').primaryKey(),
  position: ts('position').notNull(),
  owner: text('owner'),
})

/**
 * Every lifecycle transition of a conversation (src/domain/lifecycle.ts) with its cause and
 * time, and every agent action, even one that leaves the status as it was. Customer data:
 * exported and erased with the customer, purged by retention.
 */
export const conversationEvents = pgTable(
  'conversation_events',
  {
    id: id(),
    conversationId: bigint('conversation_id', { mode: 'number' })
      .notNull()
      .references(() => conversations.id),
    fromStatus: text('from_status').$type<ConversationStatus>().notNull(),
    toStatus: text('to_status').$type<ConversationStatus>().notNull(),
    cause: text('cause').$type<LifecycleEvent>().notNull(),
    /** The person who acted (the agents' API `agent`, default "agent"); null for the customer, the bot or a timer. */
    agent: text('agent'),
    at: ts('at').notNull(),
  },
  (t) => [
    index('conversation_events_conversation_idx').on(t.conversationId, t.id),
    // The outgoing-events cursor reads the latest transitions (src/store/events.ts).
    index('conversation_events_at_idx').on(t.at),
  ],
)

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

/**
 * Who runs a row's work right now, by job key (`msg-42`): the lease that
 * keeps two processes from running the same job when one serves from Redis and another
 * from the database, or two serve from the database (invariant 7; decision 0028). Turns have
 * their own lease and fencing token on `conversations`. A row lives while its job runs or
 * waits for its retry, then goes; one left by a dead process expires at `until`.
 */
export const workClaims = pgTable('work_claims', {
  key: text('key').primaryKey(),
  /** The claiming process (a random id per process start). */
  owner: text('owner').notNull(),
  until: ts('until').notNull(),
})
