import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AdminThrottledError, isAtendeError } from '../errors.js'

/**
 * The one place that decides what a client sees of an error: our catalogued codes and
 * Fastify's own 4xx (body too large, bad content type, schema validation) pass through as
 * `{ code, message }`; anything else is a generic 500 and the full error goes to the log.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AdminThrottledError) reply.header('retry-after', String(err.retryAfterSeconds))
    if (isAtendeError(err) && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ code: err.code, message: err.message })
    }
    if (isAtendeError(err) && err.statusCode === 503) {
      request.log.warn({ err }, 'answering 503')
      return reply.code(503).send({ code: err.code, message: err.message })
    }
    if (err.validation !== undefined) {
      return reply.code(400).send({ code: 'ATD_BAD_REQUEST', message: err.message })
    }
    const status = err.statusCode ?? 500
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ code: err.code ?? 'ATD_BAD_REQUEST', message: err.message })
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send({ code: 'ATD_INTERNAL', message: 'internal error' })
  })
  app.setNotFoundHandler(notFound)
}

/** The 404 of an unknown route; the query string is left out of the message. */
export async function notFound(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  return reply.code(404).send({ code: 'ATD_NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` })
}

/** Response schema shared by every route's error answers. */
export const errorResponse = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
} as const

/** The `4xx`/`5xx` answers of a route's response schema. */
export const errorResponses = { '4xx': errorResponse, '5xx': errorResponse } as const
