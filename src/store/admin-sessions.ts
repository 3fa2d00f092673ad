import { and, eq, gt, lt } from 'drizzle-orm'
import type { Db } from './db.js'
import { adminSessions } from './schema.js'

export type DashboardRole = 'admin' | 'agent'

/** A logged-in dashboard session, as the guard needs it on every request. */
export interface AdminSession {
  role: DashboardRole
  /** The agent's name (or `admin`): who acts, recorded with every action. */
  agent: string
  /** sha256 of the token that opened it; the session ends when that token is no longer configured. */
  tokenHash: Buffer
  csrfToken: string
  expiresAt: Date
}

export interface NewAdminSession extends AdminSession {
  /** sha256 of the cookie's random id: the id itself is never stored. */
  idHash: Buffer
  now: Date
}

/** Stores a session, and drops the expired ones of everybody (there are few; logins are rare). */
export async function createAdminSession(db: Db, s: NewAdminSession): Promise<void> {
  await db.delete(adminSessions).where(lt(adminSessions.expiresAt, s.now))
  await db.insert(adminSessions).values({
    idHash: s.idHash,
    role: s.role,
    agent: s.agent,
    tokenHash: s.tokenHash,
    csrfToken: s.csrfToken,
    createdAt: s.now,
    expiresAt: s.expiresAt,
  })
}

/** The session of this id hash, unless it is unknown or expired. */
export async function findAdminSession(db: Db, idHash: Buffer, now: Date): Promise<AdminSession | undefined> {
  const [row] = await db
    .select({
      role: adminSessions.role,
      agent: adminSessions.agent,
      tokenHash: adminSessions.tokenHash,
      csrfToken: adminSessions.csrfToken,
      expiresAt: adminSessions.expiresAt,
    })
    .from(adminSessions)
    .where(and(eq(adminSessions.idHash, idHash), gt(adminSessions.expiresAt, now)))
    .limit(1)
  return row
}

/** Ends a session (logout, or a token no longer configured); no-op when it is already gone. */
export async function deleteAdminSession(db: Db, idHash: Buffer): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.idHash, idHash))
}
