import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Secret } from '../config/index.js'
import { AdminThrottledError, UnauthorizedError } from '../errors.js'

/** Failed authentications a client may make within {@link FAILURE_WINDOW_MS} before it is locked out. */
export const MAX_FAILURES = 10
/**
 * The fixed window failures are counted in. A lockout ends with the window, at most this long
 * after the client's first failure in it, however many attempts it makes meanwhile.
 */
export const FAILURE_WINDOW_MS = 60_000

export interface AdminGuardOptions {
  /** `ADMIN_TOKEN`. Without it every admin route answers 401: the API is off, never open. */
  token: Secret | undefined
  /**
   * The dashboard's way in (src/http/dashboard): random per process, it never leaves the
   * process, so it opens nothing to the outside, even when ADMIN_TOKEN is unset.
   */
  internalToken?: Secret | undefined
}

/** Header schema of every admin route: the bearer token, bounded. */
export const authHeaders = {
  type: 'object',
  properties: { authorization: { type: 'string', maxLength: 1024 } },
} as const

type Refusal = 'failed' | 'throttled'

/**
 * Guards every route of `app`'s encapsulation context, present and future, behind
 * `Authorization: Bearer <ADMIN_TOKEN>`, and logs one `admin_access` line per request. The
 * check is an `onRequest` hook, so it runs before any input is validated or read. Call it
 * inside the admin plugin, before its routes.
 *
 * Failed attempts are counted per client (`request.ip`: see TRUST_PROXY). After
 * {@link MAX_FAILURES} in a window, every request of that client gets 429 until the window
 * ends, the right token included: accepting it would tell a guesser it had won, and make the
 * lockout no limit on guessing. Requests with the right token are never counted, so an admin
 * is never throttled by their own work.
 */
export async function installAdminGuard(app: FastifyInstance, options: AdminGuardOptions): Promise<void> {
  const expected = options.token === undefined ? undefined : digest(options.token.reveal())
  const internal = options.internalToken === undefined ? undefined : digest(options.internalToken.reveal())
  // A fastify-plugin: its decorators land in this (the admin) context, not on the root.
  // `global: false` adds no hook of its own; only the `failures` counter below is used.
  await app.register(rateLimit, { global: false })
  const failures = app.createRateLimit({ max: MAX_FAILURES, timeWindow: FAILURE_WINDOW_MS })
  const refused = new WeakMap<FastifyRequest, Refusal>()
  const pseudonym = createPseudonymiser()

  app.addHook('onRequest', async (request) => {
    const given = bearerToken(request.headers.authorization)
    // The dashboard's in-process calls: never counted, never throttled (a locked-out address
    // must not lock every signed-in agent out with it).
    if (internal !== undefined && given !== undefined && timingSafeEqual(digest(given), internal)) return
    if (expected === undefined) {
      refused.set(request, 'failed')
      throw new UnauthorizedError('the admin API is disabled: ADMIN_TOKEN is not set')
    }
    // Comparing digests keeps the comparison constant-time whatever the length given.
    const authenticated = given !== undefined && timingSafeEqual(digest(given), expected)
    // A failure is counted; the right token only reads the count.
    const count = await failures(request, { increment: !authenticated })
    if (!count.isAllowed) {
      const lockedOut = authenticated ? count.remaining === 0 : count.isExceeded
      const retryAfterSeconds = Math.max(1, count.ttlInSeconds)
      if (lockedOut) {
        refused.set(request, 'throttled')
        throw new AdminThrottledError(retryAfterSeconds)
      }
      if (!authenticated && count.remaining === 0) {
        // The failure that starts a lockout: once per client and window, worth an alert.
        request.log.warn({ event: 'admin_lockout', client: pseudonym(request.ip), retryAfterSeconds }, 'admin client locked out after failed authentications')
      }
    }
    if (!authenticated) {
      refused.set(request, 'failed')
      throw new UnauthorizedError()
    }
  })

  const unknownRoute = `${app.prefix}/*`
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = refused.get(request)
    // The route pattern, never the URL: a path or a query may hold a customer's number.
    request.log.info(
      {
        event: 'admin_access',
        method: request.method,
        route: request.routeOptions.url ?? unknownRoute,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        authFailed: refusal !== undefined,
        throttled: refusal === 'throttled',
        client: pseudonym(request.ip),
      },
      'admin access',
    )
  })
}

/**
 * A client's address as a keyed hash: lines of one client can be told apart from another's,
 * but the address cannot be recovered by hashing the IPv4 space, since the key is random and
 * never leaves the process (a restart changes every pseudonym).
 */
function createPseudonymiser(): (ip: string) => string {
  const key = randomBytes(32)
  return (ip) => createHmac('sha256', key).update(ip).digest('hex').slice(0, 16)
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110 §11.1). */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? '')
  return match?.[1]
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
