import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AdminThrottledError, isAtendeError } from '../errors.js'

/**
 * The one place that decides what a client sees of an error: our catalogued codes pass
 * through as `{ code, message }`; Fastify's own 4xx (body too large, bad content type,
 * malformed JSON, schema validation) get the catalogued code of their kind (see
 * {@link fastifyRefusalCode}); anything else is a generic 500 and the full error goes to the log.
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
      return reply.code(status).send({ code: fastifyRefusalCode(status, err.code), message: refusalMessage(err, request) })
    }
    request.log.error({ err }, 'request failed')
    return reply.code(500).send({ code: 'ATD_INTERNAL', message: 'internal error' })
  })
  app.setNotFoundHandler(notFound)
}

/**
 * The code of a 4xx that is not one of ours: Fastify's (`FST_ERR_…`) or a plugin's. Clients
 * only ever see catalogued `ATD_` codes, so each kind of refusal maps to one: a body over the
 * route's limit, a path parameter over the router's, a content type the route does not parse,
 * and everything else malformed.
 */
export function fastifyRefusalCode(status: number, code: string | undefined): string {
  if (code?.startsWith('ATD_') === true) return code
  if (status === 413) return 'ATD_BODY_TOO_LARGE'
  if (status === 414) return 'ATD_URI_TOO_LONG'
  if (status === 415) return 'ATD_UNSUPPORTED_MEDIA_TYPE'
  return 'ATD_BAD_REQUEST'
}

function refusalMessage(err: FastifyError, request: FastifyRequest): string {
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = request.headers['content-type']
    return type === undefined ? 'a request body needs a Content-Type' : `Content-Type ${JSON.stringify(type.slice(0, 100))} is not accepted here`
  }
  return err.message
}

/**
 * Fastify's `frameworkErrors`: a URL whose percent-encoding is broken (400) or a path
 * parameter longer than the router takes (414) is refused by the router before any route
 * or hook runs, with Fastify's own body unless this answers it; same `{ code, message }`.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is longer than any this API takes' : 'the URL is not valid percent-encoding'
  void reply.code(status).send({ code: fastifyRefusalCode(status, err.code), message })
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
