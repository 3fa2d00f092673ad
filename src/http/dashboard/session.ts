import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AgentToken, Secret } from '../../config/index.js'
import { createAdminSession, deleteAdminSession, findAdminSession, type AdminSession, type DashboardRole, type Db } from '../../store/index.js'

/** The session cookie: httpOnly, SameSite=Strict, scoped to `/admin` (docs/decisions/0024). */
export const SESSION_COOKIE = 'atende_session'
/** How long a login lasts; logging in again starts a new session. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000
/** Who acts when the admin (ADMIN_TOKEN) acts from the dashboard. */
export const ADMIN_AGENT_NAME = 'admin'

export interface Identity {
  role: DashboardRole
  agent: string
  tokenHash: Buffer
}

export interface DashboardSession {
  role: DashboardRole
  agent: string
  csrfToken: string
  /** sha256 of the cookie's id, to end the session on logout. */
  idHash: Buffer
}

export interface SessionsOptions {
  db: Db
  adminToken: Secret | undefined
  agents: readonly AgentToken[]
}

export interface Sessions {
  /** Who this token logs in as, or undefined for a wrong token (constant time over every configured token). */
  identify(token: string): Identity | undefined
  /** Opens a session and sets its cookie on `reply`. */
  open(identity: Identity, request: FastifyRequest, reply: FastifyReply): Promise<DashboardSession>
  /** The request's valid session, if any; a session whose token is no longer configured is ended. */
  load(request: FastifyRequest): Promise<DashboardSession | undefined>
  /** Ends the session and clears the cookie. */
  close(session: DashboardSession | undefined, reply: FastifyReply): Promise<void>
}

export function createSessions(options: SessionsOptions): Sessions {
  const configured: Identity[] = [
    ...(options.adminToken === undefined ? [] : [{ role: 'admin' as const, agent: ADMIN_AGENT_NAME, tokenHash: sha256(options.adminToken.reveal()) }]),
    ...options.agents.map((a) => ({ role: 'agent' as const, agent: a.name, tokenHash: sha256(a.token.reveal()) })),
  ]

  function identify(token: string): Identity | undefined {
    const given = sha256(token)
    let found: Identity | undefined
    // Every candidate is compared, so the time does not tell which one (or whether any) matched.
    for (const identity of configured) if (timingSafeEqual(given, identity.tokenHash)) found = identity
    return found
  }

  function stillConfigured(s: AdminSession): boolean {
    return configured.some((i) => i.role === s.role && i.agent === s.agent && timingSafeEqual(i.tokenHash, s.tokenHash))
  }

  async function open(identity: Identity, request: FastifyRequest, reply: FastifyReply): Promise<DashboardSession> {
    const id = randomBytes(32).toString('base64url')
    const now = new Date()
    const session = { role: identity.role, agent: identity.agent, csrfToken: randomBytes(32).toString('base64url'), idHash: sha256(id) }
    await createAdminSession(options.db, { ...session, tokenHash: identity.tokenHash, now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) })
    reply.setCookie(SESSION_COOKIE, id, {
      path: '/admin',
      httpOnly: true,
      sameSite: 'strict',
      // Over plain http (development) a Secure cookie would never come back.
      secure: request.protocol === 'https',
      maxAge: SESSION_TTL_MS / 1000,
    })
    return session
  }

  async function load(request: FastifyRequest): Promise<DashboardSession | undefined> {
    const id = request.cookies[SESSION_COOKIE]
    if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined
    const idHash = sha256(id)
    const found = await findAdminSession(options.db, idHash, new Date())
    if (found === undefined) return undefined
    if (!stillConfigured(found)) {
      await deleteAdminSession(options.db, idHash)
      return undefined
    }
    return { role: found.role, agent: found.agent, csrfToken: found.csrfToken, idHash }
  }

  async function close(session: DashboardSession | undefined, reply: FastifyReply): Promise<void> {
    if (session !== undefined) await deleteAdminSession(options.db, session.idHash)
    reply.clearCookie(SESSION_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict' })
  }

  return { identify, open, load, close }
}

/** Whether `given` is the session's CSRF token (constant time). */
export function isCsrfToken(session: DashboardSession, given: unknown): boolean {
  if (typeof given !== 'string' || given.length > 256) return false
  return timingSafeEqual(sha256(given), sha256(session.csrfToken))
}

export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
