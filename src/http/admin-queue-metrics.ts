import type { FastifyPluginAsync } from 'fastify'
import type { QueueMetricsBody } from '../ops/index.js'
import { QUEUE_NAMES } from '../queues/index.js'
import { authHeaders } from './admin-auth.js'
import { errorResponses } from './errors.js'

export interface QueueMetricsRoutesOptions {
  /** Reads the queue metrics (src/ops/queue-metrics.ts); bounded by REDIS_COMMAND_TIMEOUT_MS. */
  read(): Promise<QueueMetricsBody>
}

const nullableMs = { type: ['number', 'null'] } as const
const percentiles = {
  type: 'object',
  properties: { p50: nullableMs, p95: nullableMs, p99: nullableMs },
  required: ['p50', 'p95', 'p99'],
  additionalProperties: false,
} as const
const count = { type: 'integer', minimum: 0 } as const
const queue = {
  type: 'object',
  properties: {
    waiting: count, active: count, delayed: count, completed: count, failed: count, retried: count,
    throughput: {
      type: 'object',
      properties: { '1m': { type: 'number' }, '5m': { type: 'number' }, '15m': { type: 'number' } },
      required: ['1m', '5m', '15m'],
      additionalProperties: false,
    },
    waitMs: percentiles,
    processMs: percentiles,
  },
  required: ['waiting', 'active', 'delayed', 'completed', 'failed', 'retried', 'throughput', 'waitMs', 'processMs'],
  additionalProperties: false,
} as const

/**
 * `GET /api/queue/metrics` (issue #11). Kept apart from `/api/metrics/http`, which a bench
 * resets. The response schema is the contract: every queue, every field, nothing else.
 */
export const queueMetricsRoutes: FastifyPluginAsync<QueueMetricsRoutesOptions> = async (app, options) => {
  app.get(
    '/queue/metrics',
    {
      schema: {
        headers: authHeaders,
        querystring: { type: 'object', maxProperties: 0 },
        response: {
          200: {
            type: 'object',
            properties: {
              runtime: { type: 'string', enum: ['queues', 'in-process'] },
              redis: { type: 'object', properties: { connected: { type: 'boolean' } }, required: ['connected'], additionalProperties: false },
              queues: {
                type: 'object',
                properties: Object.fromEntries(QUEUE_NAMES.map((q) => [q, queue])),
                required: [...QUEUE_NAMES],
                additionalProperties: false,
              },
              inbox: {
                type: 'object',
                properties: { unprocessed: count, turnsDue: count, oldestDueSeconds: { type: ['integer', 'null'] } },
                required: ['unprocessed', 'turnsDue', 'oldestDueSeconds'],
                additionalProperties: false,
              },
              webhook: {
                type: 'object',
                properties: { count, p50: nullableMs, p99: nullableMs },
                required: ['count', 'p50', 'p99'],
                additionalProperties: false,
              },
            },
            required: ['runtime', 'redis', 'queues', 'inbox', 'webhook'],
            additionalProperties: false,
          },
          ...errorResponses,
        },
      },
    },
    async () => options.read(),
  )
}
