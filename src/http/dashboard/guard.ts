import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CsrfRefusedError, DashboardForbiddenError, SessionRequiredError } from '../../errors.js'
import { isCsrfToken, type DashboardSession, type Sessions } from './session.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the dashboard's guard; null outside the guarded routes. */
    dashboardSession: DashboardSession | null
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** bull-board's own API: its UI cannot send our CSRF header, so a same-origin `Origin` is required instead. */
const ORIGIN_CHECKED_PREFIX = '/admin/queues/'

/**
 * Every route of `app`'s context needs a session: a page is redirected to the login, a JSON
 * client gets 401. Mutations also need the session's CSRF token (`X-CSRF-Token`, or `_csrf`
 * in a form) and, when the browser names one, our own origin. SameSite=Strict already keeps
 * the cookie off cross-site requests; the token is the second lock (docs/decisions/0024).
 */
export function installSessionGuard(app: FastifyInstance, sessions: Sessions): void {
  app.addHook('onRequest', async (request, reply) => {
    const session = await sessions.load(request)
    if (session === undefined) return refuse(request, reply)
    request.dashboardSession = session
  })
  app.addHook('preHandler', async (request) => {
    if (SAFE_METHODS.has(request.method)) return
    const origin = request.headers.origin
    if (origin !== undefined && origin !== ownOrigin(request)) throw new CsrfRefusedError('a request from another origin is refused')
    if (request.url.startsWith(ORIGIN_CHECKED_PREFIX)) {
      if (origin === undefined) throw new CsrfRefusedError('this request must come from the dashboard (no Origin header)')
      return
    }
    const header = request.headers['x-csrf-token']
    const given = header ?? (isRecord(request.body) ? request.body._csrf : undefined)
    if (!isCsrfToken(request.dashboardSession!, given)) {
      throw new CsrfRefusedError('the CSRF token is missing or wrong; send this session\'s token in X-CSRF-Token')
    }
  })
}

/** Admin-only routes: an agent's page view goes back to the inbox, anything else is a 403. */
export function installAdminOnly(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.dashboardSession?.role === 'admin') return
    if (wantsPage(request)) return reply.redirect('/admin', 302)
    throw new DashboardForbiddenError()
  })
}

async function refuse(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!wantsPage(request)) throw new SessionRequiredError()
  const path = request.url.split('?')[0]!
  const next = request.method === 'GET' && path !== '/admin' && path !== '/admin/' ? `?next=${encodeURIComponent(path)}` : ''
  return reply.redirect(`/admin/login${next}`, 302)
}

/**
 * A browser's navigation (or any client that does not ask for JSON) is redirected; the
 * dashboard's own fetches ask for JSON (or an event stream) and get a status they can act on.
 */
export function wantsPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  if (accept.includes('text/html')) return true
  return !accept.includes('application/json') && !accept.includes('text/event-stream')
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
