import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { id, ts } from './columns.js'
import { conversations } from './conversations.js'

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
