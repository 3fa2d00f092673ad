import { sql } from 'drizzle-orm'
import {
  bigint,
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
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
})

export const CONVERSATION_STATUSES = ['open', 'handoff', 'resolved', 'awaiting_nps', 'closed'] as const
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number]

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
    /** Attempts of the pending turn, counted here so an emptied Redis cannot reset them. */
    turnAttempts: integer('turn_attempts').notNull().default(0),
    turnEnqueuedAt: ts('turn_enqueued_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_number_contact_key').on(t.phoneNumberId, t.contactId),
    index('conversations_turn_due_idx').on(t.turnDueAt).where(sql`${t.turnDueAt} is not null`),
    check(
      'conversations_status_check',
      sql`${t.status} in ('open', 'handoff', 'resolved', 'awaiting_nps', 'closed')`,
    ),
  ],
)

export type MessageDirection = 'in' | 'out'

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
    /** Inbound: position in the conversation. Outbound: the inbound `seq` the reply answers. */
    seq: integer('seq').notNull(),
    /** Outbound: part number of a reply split in several messages; inbound: 0. */
    part: integer('part').notNull().default(0),
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
    uniqueIndex('messages_conversation_direction_seq_part_key').on(t.conversationId, t.direction, t.seq, t.part),
    // The outgoing-events cursor reads what changed lately (src/store/events.ts).
    index('messages_updated_at_idx').on(t.updatedAt),
    index('messages_unprocessed_idx').on(t.createdAt).where(sql`${t.processedAt} is null and ${t.direction} = 'in'`),
    check('messages_direction_check', sql`${t.direction} in ('in', 'out')`),
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
