import { randomBytes } from 'node:crypto'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { secret, type AgentToken, type Secret, type TrustProxy } from '../config/index.js'
import type { Ingest } from '../ingest/index.js'
import type { Privacy } from '../privacy/index.js'
import type { Dispatcher } from '../queues/index.js'
import { createMetrics, type Alerts, type Metrics, type QueueMetricsBody } from '../ops/index.js'
import type { Db } from '../store/index.js'
import { adminRoutes } from './admin.js'
import { dashboardRoutes, injectAdminApi, type QueueBoard } from './dashboard/index.js'
import { strictBodyValidator } from './body-validation.js'
import { installServerTiming } from './server-timing.js'
import { frameworkErrors, installErrorHandling } from './errors.js'
import { healthRoutes, type HealthRoutesOptions } from './health.js'
import { refuseLooseIntegers } from './integer-input.js'
import { prometheusRoutes } from './metrics.js'
import { webhookRoutes } from './webhook.js'

export interface AppDeps {
  log: Logger
  ingest: Ingest
  whatsapp: { appSecret: Secret | undefined; verifyToken: Secret | undefined }
  health: HealthRoutesOptions
  db: Db
  /** `ADMIN_TOKEN`; without it the admin API answers 401 to everything. */
  adminToken: Secret | undefined
  /** `TRUST_PROXY`: which proxies may name the client in X-Forwarded-For. @defaultValue false */
  trustProxy?: TrustProxy
  /**
   * `ADMIN_PORT` is set: the admin API gets an app (and a listener) of its own, and the public
   * app answers 404 under `/api`. @defaultValue false
   */
  separateAdminListener?: boolean
  /** Customer data export and erase, behind the admin token. */
  privacy: Privacy
  /** The knowledge base's department ids, which an approved learning proposal must name. @defaultValue any */
  learningDepartments?: readonly string[] | undefined
  /** Metrics and alerts; without them the app keeps a registry of its own and raises no alert. */
  ops?: HttpOps
  /** BUSINESS_TIME_ZONE: the reports read a date as that whole day there. @defaultValue 'America/Sao_Paulo' */
  businessTimeZone?: string
  /** The clock of the reports' default range and of the agents' actions. @defaultValue the system clock */
  now?: () => Date
  /** Wakes a conversation's outbox after an agent's message (the agents' API). */
  dispatcher: Dispatcher
  /** NPS_DELAY_MS; undefined when NPS_ENABLED=false (an agent's resolve then plans no survey). */
  surveyDelayMs: number | undefined
  /** The web dashboard under `/admin`; left out when undefined. */
  dashboard?: DashboardDeps | undefined
}

export interface DashboardDeps {
  /** AGENT_TOKENS. */
  agents: readonly AgentToken[]
  /** SIMULATOR_ENABLED. */
  simulator: boolean
  /** bull-board's queues in Redis mode; our own counts otherwise. */
  queueBoard: QueueBoard
  /** How often live views poll the database. @defaultValue 500 */
  changePollMs?: number
}

export interface HttpOps {
  metrics: Metrics
  alerts?: Alerts
  /** METRICS_TOKEN. */
  metricsToken: Secret | undefined
  /** `/metrics` without a token on the public listener (`isMetricsOpenOnPublic`). @defaultValue false */
  metricsOpenOnPublic?: boolean
  /** Reads `GET /api/queue/metrics`; absent: that route is not served. */
  queueMetrics?: () => Promise<QueueMetricsBody>
}

export interface HttpApps {
  /** The webhook and health routes; the admin API too, unless it has its own listener. */
  public: FastifyInstance
  /** The admin API's own app (`/api/*`, `/healthz`, `/readyz`), when `separateAdminListener`. */
  admin: FastifyInstance | undefined
}

/** Builds the HTTP apps without listening: `main` listens, tests use `app.inject()` on each. */
export async function createApps(deps: AppDeps): Promise<HttpApps> {
  const app = createServer(deps)
  // Before any route plugin, so the timing hook covers every route of the public listener:
  // the webhook's latency is what it measures, wherever the admin API that reports it lives.
  const serverTiming = installServerTiming(app)
  const ops = deps.ops ?? { metrics: createMetrics(), metricsToken: undefined, metricsOpenOnPublic: true }
  await app.register(healthRoutes, deps.health)
  await app.register(webhookRoutes, { ingest: deps.ingest, ...deps.whatsapp, onAnswered: webhookObserver(ops),
    onQuarantined: (parts) => ops.alerts?.raise('quarantine', { details: { parts } }),
  })
  const metricsRoute = { metrics: ops.metrics, token: ops.metricsToken }
  const internalToken = secret(randomBytes(32).toString('base64url'))
  const reports = { timeZone: deps.businessTimeZone ?? 'America/Sao_Paulo', now: deps.now ?? (() => new Date()) }
  const agents = { dispatcher: deps.dispatcher, surveyDelayMs: deps.surveyDelayMs, log: deps.log, now: deps.now }
  const admin = {
    prefix: '/api', db: deps.db, token: deps.adminToken, serverTiming, privacy: deps.privacy, reports, internalToken,
    learningDepartments: deps.learningDepartments, agents,
    ...(deps.ops?.queueMetrics === undefined ? {} : { queueMetrics: deps.ops.queueMetrics }),
  }
  if (deps.separateAdminListener !== true) {
    await app.register(adminRoutes, admin)
    await registerDashboard(app, app, deps, internalToken)
    await app.register(prometheusRoutes, { ...metricsRoute, open: ops.metricsOpenOnPublic === true })
    return { public: app, admin: undefined }
  }
  // The admin listener is private (loopback by default): it serves the metrics without a token
  // unless METRICS_TOKEN is set; the public one only where `metricsOpenOnPublic` allows.
  await app.register(prometheusRoutes, { ...metricsRoute, open: ops.metricsOpenOnPublic === true })
  const adminApp = createServer(deps)
  // A load balancer or orchestrator may probe either listener.
  await adminApp.register(healthRoutes, deps.health)
  await adminApp.register(adminRoutes, admin)
  // The dashboard lives with the admin API it calls, off the public interface.
  await registerDashboard(adminApp, app, deps, internalToken)
  await adminApp.register(prometheusRoutes, { ...metricsRoute, open: true })
  return { public: app, admin: adminApp }
}

/**
 * `/admin` on `host`, calling the admin API on `host` and posting the simulator's deliveries
 * to the webhook of `publicApp`, both in process (`inject`).
 */
async function registerDashboard(host: FastifyInstance, publicApp: FastifyInstance, deps: AppDeps, internalToken: Secret): Promise<void> {
  const d = deps.dashboard
  if (d === undefined) return
  await host.register(dashboardRoutes, {
    prefix: '/admin',
    db: deps.db,
    adminToken: deps.adminToken,
    agents: d.agents,
    adminApi: injectAdminApi(() => host, internalToken.reveal()),
    simulator: {
      enabled: d.simulator,
      appSecret: deps.whatsapp.appSecret,
      postWebhook: async (raw, signature) => {
        const res = await publicApp.inject({
          method: 'POST',
          url: '/webhooks/whatsapp',
          headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) },
          payload: raw,
        })
        return { statusCode: res.statusCode, body: res.body }
      },
    },
    queueBoard: d.queueBoard,
    // The dashboard shows the queue board when Redis is configured (bull-board's queues
    // exist), even while the database serves because Redis is out; without Redis it is
    // in-process. `health.runtimeMode` cannot tell: `serve` always passes a function.
    runtimeMode: d.queueBoard.kind === 'bullmq' ? 'queues' : 'in-process',
    changePollMs: d.changePollMs,
  })
}

/** Counts every webhook answer, and raises `webhook_5xx` when Meta is answered with one. */
function webhookObserver(ops: HttpOps): (status: number, seconds: number) => void {
  return (status, seconds) => {
    ops.metrics.webhookAnswered(status, seconds)
    if (status >= 500) ops.alerts?.raise('webhook_5xx', { subject: String(status), details: { status } })
  }
}

/** The single app of one listener: webhook, health and admin API together. */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  return (await createApps({ ...deps, separateAdminListener: false })).public
}

/**
 * The METRICS_PORT listener: `/metrics` and `/healthz` only, for a process with no other
 * listener (`atende worker`). Not the public webhook host, so it is open unless METRICS_TOKEN is set.
 */
export async function createMetricsApp(deps: { log: Logger; metrics: Metrics; metricsToken: Secret | undefined }): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: deps.log as FastifyBaseLogger, logController: new LogController({ disableRequestLogging: true }), frameworkErrors })
  installErrorHandling(app)
  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }))
  await app.register(prometheusRoutes, { metrics: deps.metrics, token: deps.metricsToken, open: true })
  return app
}

/** A Fastify instance with the settings and error handling both listeners share. */
function createServer(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // `request.ip`, whose failed admin logins are counted together.
    trustProxy: typeof deps.trustProxy === 'object' ? [...deps.trustProxy] : (deps.trustProxy ?? false),
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
    // The router's own refusals (broken percent-encoding, that parameter length) as ours.
    frameworkErrors,
    // A JSON body keeps its types (a number is not the text "5"); params and queries are
    // still coerced from their text.
    schemaController: { compilersFactory: { buildValidator: strictBodyValidator() } },
  })
  installErrorHandling(app)
  refuseLooseIntegers(app)
  return app
}
