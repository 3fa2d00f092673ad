import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Secret } from '../config/index.js'
import { UnauthorizedError } from '../errors.js'

export interface AdminGuardOptions {
  /** `ADMIN_TOKEN`. Without it every admin route answers 401: the API is off, never open. */
  token: Secret | undefined
}

/** Header schema of every admin route: the bearer token, bounded. */
export const authHeaders = {
  type: 'object',
  properties: { authorization: { type: 'string', maxLength: 1024 } },
} as const

/**
 * Guards every route of `app`'s encapsulation context, present and future, behind
 * `Authorization: Bearer <ADMIN_TOKEN>`. The check is an `onRequest` hook, so it runs before
 * any input is validated or read. Call it inside the admin plugin, before its routes.
 */
export async function installAdminGuard(app: FastifyInstance, options: AdminGuardOptions): Promise<void> {
  const expected = options.token === undefined ? undefined : digest(options.token.reveal())

  app.addHook('onRequest', async (request) => {
    if (expected === undefined) throw new UnauthorizedError('the admin API is disabled: ADMIN_TOKEN is not set')
    const given = bearerToken(request.headers.authorization)
    // Comparing digests keeps the comparison constant-time whatever the length given.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) throw new UnauthorizedError()
  })
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110 §11.1). */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? '')
  return match?.[1]
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
