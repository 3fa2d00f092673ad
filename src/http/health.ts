import type { FastifyPluginAsync } from 'fastify'
import { DatabaseUnavailableError } from '../errors.js'
import { linkSignal, withTimeout } from '../lib/index.js'

export interface HealthRoutesOptions {
  /** Rejects when the database cannot answer. */
  pingDatabase(signal: AbortSignal): Promise<void>
  databaseEngine: 'pglite' | 'postgres'
  runtimeMode: 'queues' | 'in-process'
  /** Longest /readyz waits for the database. */
  timeoutMs: number
  /** Configuration warnings (`configWarnings`), listed on /readyz; readiness does not depend on them. */
  warnings: readonly string[]
}

/** `/healthz`: the process is alive. `/readyz`: it can take traffic (the database answers). */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({
    status: 'ok',
  }))

  app.get(
    '/readyz',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              database: { type: 'string' },
              runtime: { type: 'string' },
              warnings: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async () => {
      // The ping is told to stop, and its answer is not awaited past the limit either: a
      // driver that ignores the signal cannot hold /readyz.
      const deadline = linkSignal([], options.timeoutMs)
      try {
        await withTimeout(options.pingDatabase(deadline.signal), options.timeoutMs, () => new Error(`no answer within ${options.timeoutMs} ms`))
      } catch (err) {
        throw new DatabaseUnavailableError('the database did not answer', { cause: err })
      } finally {
        deadline.release()
      }
      return { status: 'ready', database: options.databaseEngine, runtime: options.runtimeMode, warnings: options.warnings }
    },
  )
}
