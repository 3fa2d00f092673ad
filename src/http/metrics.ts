import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Secret } from '../config/index.js'
import { UnauthorizedError } from '../errors.js'
import { errorResponses } from './errors.js'

/** What `/metrics` renders: the process's Prometheus registry (src/ops/metrics.ts). */
export interface PrometheusSource {
  readonly contentType: string
  render(): Promise<string>
}

export interface PrometheusRouteOptions {
  metrics: PrometheusSource
  /** METRICS_TOKEN: when set, the route asks for it. */
  token: Secret | undefined
  /**
   * Without a token: whether this listener serves the metrics to anyone (development, the
   * admin listener, METRICS_PORT) or refuses them (the public listener in production).
   */
  open: boolean
}

/**
 * `GET /metrics`: Prometheus text exposition. No query is taken: anything in the query
 * string is refused with 400, so a scrape URL with a typo is noticed.
 */
export const prometheusRoutes: FastifyPluginAsync<PrometheusRouteOptions> = async (app, options) => {
  const expected = options.token === undefined ? undefined : digest(options.token.reveal())
  app.get(
    '/metrics',
    {
      schema: {
        headers: { type: 'object', properties: { authorization: { type: 'string', maxLength: 1024 } } },
        querystring: { type: 'object', maxProperties: 0 },
        response: { 200: { type: 'string' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (expected === undefined && !options.open) {
        throw new UnauthorizedError('/metrics needs METRICS_TOKEN on this listener in production (or scrape ADMIN_PORT or METRICS_PORT)')
      }
      if (expected !== undefined) {
        const given = /^Bearer +([^\s]+) *$/i.exec(request.headers.authorization ?? '')?.[1]
        if (given === undefined || !timingSafeEqual(digest(given), expected)) throw new UnauthorizedError()
      }
      return reply.type(options.metrics.contentType).send(await options.metrics.render())
    },
  )
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}
