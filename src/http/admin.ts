import type { FastifyPluginAsync } from 'fastify'
import type { Secret } from '../config/index.js'
import type { Db } from '../store/index.js'
import { alertRoutes } from './admin-alerts.js'
import { installAdminGuard } from './admin-auth.js'
import { agentRoutes, type AgentRoutesOptions } from './admin-agents.js'
import { conversationRoutes } from './admin-conversations.js'
import { metricsRoutes } from './admin-metrics.js'
import { queueMetricsRoutes, type QueueMetricsRoutesOptions } from './admin-queue-metrics.js'
import { notFound } from './errors.js'
import { learningRoutes } from './learning.js'
import { privacyRoutes } from './privacy.js'
import { reportRoutes, type ReportRoutesOptions } from './admin-reports.js'
import type { ServerTiming } from './server-timing.js'
import type { Privacy } from '../privacy/index.js'

export interface AdminRoutesOptions {
  db: Db
  /** Server-side request latency, exposed at `GET /api/metrics/http`. */
  serverTiming: ServerTiming
  /** `ADMIN_TOKEN`. Without it every admin route answers 401: the API is off, never open. */
  token: Secret | undefined
  /** Export and erase of a customer's data, under `/api/contacts` (src/http/privacy.ts). */
  privacy: Privacy
  /** The knowledge base's department ids, which an approved learning proposal must name. */
  learningDepartments?: readonly string[] | undefined
  /** The dashboard's in-process token (see `AdminGuardOptions.internalToken`). */
  internalToken?: Secret | undefined
  /** `GET /api/queue/metrics`; absent: the route answers 404 like any unknown path. */
  queueMetrics?: QueueMetricsRoutesOptions['read']
  /** The NPS report's time zone and clock (src/http/admin-reports.ts). */
  reports: Omit<ReportRoutesOptions, 'db'>
  /** The agents' routes (`POST /api/conversations/:id/handoff|messages|release|resolve`). */
  agents: Omit<AgentRoutesOptions, 'db'>
}

/**
 * The admin API under `/api` (register with `prefix: '/api'`). The guard's hooks belong to
 * this plugin's context, so every route file registered below inherits them: add a new
 * `/api/*` route file here, never on the root, or it would be open to anyone.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  await installAdminGuard(app, { token: options.token, internalToken: options.internalToken })
  // Unknown paths under /api pass the guard too: a stranger cannot map the admin routes, and
  // guessing tokens there is counted like anywhere else.
  app.setNotFoundHandler(notFound)
  await app.register(metricsRoutes, { serverTiming: options.serverTiming })
  await app.register(conversationRoutes, { db: options.db })
  await app.register(agentRoutes, { db: options.db, ...options.agents })
  await app.register(privacyRoutes, { privacy: options.privacy })
  await app.register(learningRoutes, { db: options.db, departments: options.learningDepartments })
  const read = options.queueMetrics
  if (read !== undefined) await app.register(queueMetricsRoutes, { read })
  await app.register(reportRoutes, { db: options.db, ...options.reports })
  await app.register(alertRoutes, { db: options.db })
}
