import { sql } from 'drizzle-orm'
import { bigint, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core'
import { id, ts } from './columns.js'

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
