import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { AdminThrottledError, LoginFailedError } from '../../errors.js'
import { FAILURE_WINDOW_MS, MAX_FAILURES } from '../admin-auth.js'
import { LANGUAGE_COOKIE, languageOf, pageHeaders, type Language } from './html.js'
import { loginPage, type LoginProblem } from './login-page.js'
import type { Sessions } from './session.js'

export interface LoginRoutesOptions {
  sessions: Sessions
}

interface LoginBody {
  token: string
  next?: string
  lang?: Language
}

const loginBodySchema = {
  type: 'object',
  required: ['token'],
  maxProperties: 8,
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 1024 },
    next: { type: 'string', maxLength: 512 },
    lang: { type: 'string', enum: ['pt-BR', 'en'] },
  },
} as const

/**
 * `GET /admin/login` (the form) and `POST /admin/login` (form field `token`, or JSON
 * `{ "token" }`): a good token gets the session cookie and a 302 to `/admin` (or to the page
 * first asked for); a wrong one gets no session. Failed logins are throttled per client like
 * the admin API's: after {@link MAX_FAILURES} in a window, every login of that client is
 * refused until the window ends, the right token included (accepting it would tell a guesser
 * it had won).
 */
export const loginRoutes: FastifyPluginAsync<LoginRoutesOptions> = async (app, options) => {
  await app.register(rateLimit, { global: false })
  const failures = app.createRateLimit({ max: MAX_FAILURES, timeWindow: FAILURE_WINDOW_MS })

  app.get<{ Querystring: { next?: string; lang?: string } }>(
    '/login',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { next: { type: 'string', maxLength: 512 }, lang: { type: 'string', maxLength: 8 } },
        },
      },
    },
    async (request, reply) => {
      const html = loginPage({ language: languageOf(request), next: safeNext(request.query.next), problem: undefined })
      return reply.headers(pageHeaders()).send(html)
    },
  )

  app.post<{ Body: LoginBody }>('/login', { schema: { body: loginBodySchema } }, async (request, reply) => {
    const { token } = request.body
    const identity = options.sessions.identify(token)
    // A failure is counted; the right token only reads the count.
    const count = await failures(request, { increment: identity === undefined })
    if (!count.isAllowed) {
      const lockedOut = identity !== undefined ? count.remaining === 0 : count.isExceeded
      if (lockedOut) return refuse(request, reply, { kind: 'throttled', retryAfterSeconds: Math.max(1, count.ttlInSeconds) })
      if (identity === undefined && count.remaining === 0) {
        request.log.warn({ event: 'dashboard_lockout', retryAfterSeconds: count.ttlInSeconds }, 'dashboard client locked out after failed logins')
      }
    }
    if (identity === undefined) return refuse(request, reply, { kind: 'failed' })
    await options.sessions.open(identity, request, reply)
    // The login form's language (its link, `?lang=`) carries on into the dashboard, as the
    // dashboard's own switch does: the same readable cookie.
    const lang = request.body.lang
    if (lang !== undefined && lang !== request.cookies[LANGUAGE_COOKIE]) {
      reply.setCookie(LANGUAGE_COOKIE, lang, { path: '/admin', sameSite: 'strict', secure: request.protocol === 'https', maxAge: 365 * 24 * 60 * 60 })
    }
    request.log.info({ event: 'dashboard_login', role: identity.role }, 'dashboard login')
    return reply.redirect(safeNext(request.body.next), 302)
  })
}

/** A form gets the login page again with the reason; a JSON client gets the error's code. */
async function refuse(request: FastifyRequest<{ Body: LoginBody }>, reply: FastifyReply, problem: NonNullable<LoginProblem>): Promise<FastifyReply> {
  if (!isForm(request)) {
    throw problem.kind === 'failed' ? new LoginFailedError() : new AdminThrottledError(problem.retryAfterSeconds)
  }
  if (problem.kind === 'throttled') reply.header('retry-after', String(problem.retryAfterSeconds))
  const html = loginPage({ language: request.body.lang ?? languageOf(request), next: safeNext(request.body.next), problem })
  return reply.code(problem.kind === 'failed' ? 401 : 429).headers(pageHeaders()).send(html)
}

function isForm(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
}

/**
 * Where to go after the login: a dashboard path only, never another site (`//evil`, `/\evil`
 * and absolute URLs fall back to `/admin`).
 */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/admin(\/[A-Za-z0-9_-]+)*\/?$/.test(next) ? next : '/admin'
}
