import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Secret } from '../config/index.js'
import type { Ingest } from '../ingest/index.js'
import type { Privacy } from '../privacy/index.js'
import type { Db } from '../store/index.js'
import { adminRoutes } from './admin.js'
import { installServerTiming } from './server-timing.js'
import { installErrorHandling } from './errors.js'
import { healthRoutes, type HealthRoutesOptions } from './health.js'
import { webhookRoutes } from './webhook.js'

export interface AppDeps {
  log: Logger
  ingest: Ingest
  whatsapp: { appSecret: Secret | undefined; verifyToken: Secret | undefined }
  health: HealthRoutesOptions
  db: Db
  /** `ADMIN_TOKEN`; without it the admin API answers 401 to everything. */
  adminToken: Secret | undefined
  /** Customer data export and erase, behind the admin token. */
  privacy: Privacy
}

/** Builds the HTTP app without listening: `main` listens, tests use `app.inject()`. */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Behind a load balancer every request closes fast; a slow client must not hold a socket.
    requestTimeout: 30_000,
    // Fastify answers 503 to new requests while closing and waits for in-flight ones.
    return503OnClosing: true,
    // Two info lines per webhook would dominate the log and its cost; failures are logged
    // by the error handler, and every request's time is in the server-timing histogram.
    logController: new LogController({ disableRequestLogging: true }),
    // A path parameter longer than this is refused by the router (414) before any route runs.
    // The router's default, 100, is shorter than a business-scoped customer id
    // (`bsuid:` + up to 128, src/privacy/customer-id.ts); longer than 256 stays refused, so
    // an integer parameter never holds enough digits to read as Infinity.
    routerOptions: { maxParamLength: 256 },
  })
  installErrorHandling(app)
  // Before any route plugin, so the timing hook covers every route.
  const serverTiming = installServerTiming(app)
  await app.register(healthRoutes, deps.health)
  await app.register(webhookRoutes, { ingest: deps.ingest, ...deps.whatsapp })
  await app.register(adminRoutes, { prefix: '/api', db: deps.db, token: deps.adminToken, serverTiming, privacy: deps.privacy })
  return app
}
