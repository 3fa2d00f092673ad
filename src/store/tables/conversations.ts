import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { SIMULATOR_PHONE_NUMBER_ID, type ConversationStatus, type LifecycleEvent } from '../../domain/index.js'
import { id, ts } from './columns.js'

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
export { CONVERSATION_STATUSES, type ConversationStatus } from '../../domain/index.js'

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
