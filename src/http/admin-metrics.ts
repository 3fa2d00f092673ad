import type { FastifyPluginAsync } from 'fastify'
import { authHeaders } from './admin-auth.js'
import { errorResponses } from './errors.js'
import type { ServerTiming } from './server-timing.js'

export interface MetricsRoutesOptions {
  /** Server-side request latency of the public listener. */
  serverTiming: ServerTiming
}

/** `GET` and `DELETE /api/metrics/http`: the request-time histogram, read and reset. */
export const metricsRoutes: FastifyPluginAsync<MetricsRoutesOptions> = async (app, options) => {
  app.get(
    '/metrics/http',
    {
      schema: {
        headers: authHeaders,
        response: {
          200: {
            type: 'object',
            properties: {
              count: { type: 'integer' },
              p50Ms: { type: 'number' },
              p99Ms: { type: 'number' },
              p999Ms: { type: 'number' },
              maxMs: { type: 'number' },
            },
            required: ['count', 'p50Ms', 'p99Ms', 'p999Ms', 'maxMs'],
          },
          ...errorResponses,
        },
      },
    },
    async () => options.serverTiming.snapshot(),
  )

  app.delete(
    '/metrics/http',
    { schema: { headers: authHeaders, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (_request, reply) => {
      options.serverTiming.reset()
      return reply.code(204).send()
    },
  )
}
