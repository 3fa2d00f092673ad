import { index, pgTable, text } from 'drizzle-orm/pg-core'
import { bytea, id, ts } from './columns.js'

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
