import { sql } from 'drizzle-orm'
import { check, index, pgTable, text } from 'drizzle-orm/pg-core'
import { bytea, ts } from './columns.js'

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
