/**
 * Composition root and CLI: `atende serve | api | worker | migrate | privacy`. The only module that
 * reads `process.env`, installs signal handlers, and wires adapters together.
 */
import type { Logger } from 'pino'
import type { Language } from './ai/index.js'
import {
  ADMIN_TOKEN_MIN_LENGTH, checkRoleConfig, configWarnings, isAdminTokenShort, isMetricsOpenOnPublic, loadConfig, type Config, type Role,
} from './config/index.js'
import type { Runtime } from './dispatch/index.js'
import { AtendeError } from './errors.js'
import { closeAll, installCrashHandlers, installShutdown, type Closer, type Started } from './lib/index.js'
import type { Alerts, Metrics } from './ops/index.js'
import type { PrivacyCommand } from './privacy/index.js'
import type { Database, Db } from './store/index.js'
import type { SendLimiter, WhatsAppClient } from './whatsapp/index.js'
import type { ImageAnalysers } from './workers/index.js'

/*
 * The modules are imported once the command line and the configuration have been checked:
 * under tsx, loading all of them takes seconds, and a usage or configuration error needs
 * none of them to be answered.
 */

/** What `migrate` and `privacy` use: the logger, the database, the queues and the privacy service. */
async function loadData() {
  const [pino, dispatch, log, privacy, store] = await Promise.all([
    import('pino'), import('./dispatch/index.js'), import('./log/index.js'), import('./privacy/index.js'), import('./store/index.js'),
  ])
  return { pino: pino.pino, ...dispatch, ...log, ...privacy, ...store }
}
type Data = Awaited<ReturnType<typeof loadData>>

/** Everything `serve`, `api` and `worker` wire together. */
async function loadService() {
  const [data, ioredis, ai, domain, events, http, images, ingest, ops, queues, whatsapp, workers] = await Promise.all([
    loadData(), import('ioredis'), import('./ai/index.js'), import('./domain/index.js'), import('./events/index.js'), import('./http/index.js'),
    import('./images/index.js'), import('./ingest/index.js'), import('./ops/index.js'), import('./queues/index.js'), import('./whatsapp/index.js'),
    import('./workers/index.js'),
  ])
  return { ...data, Redis: ioredis.Redis, ...ai, ...domain, ...events, ...http, ...images, ...ingest, ...ops, ...queues, ...whatsapp, ...workers }
}
type Service = Awaited<ReturnType<typeof loadService>>


const USAGE = `usage: atende <command>
  serve     HTTP and every worker in one process (the default)
  api       HTTP only; needs REDIS_URL and DATABASE_URL
  worker    queue workers only; needs REDIS_URL and DATABASE_URL
  migrate   apply database migrations and exit
  privacy export <waId>   everything held about a customer, as JSON on stdout
  privacy erase <waId>    erase a customer everywhere; the counts removed, as JSON on stdout
            <waId>: the customer's WhatsApp id, or bsuid:<id> for a business-scoped customer`

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'serve'
  // Anywhere on the line: `npm start -- --help` arrives as `serve --help`, and must not start a server.
  if (command === 'help' || argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (!['serve', 'api', 'worker', 'migrate', 'privacy'].includes(command)) {
    process.stderr.write(`unknown command '${command}'\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  if (command !== 'privacy' && argv.length > 1) {
    // Settings are environment variables: `serve --port 4000` would otherwise start on PORT, silently.
    process.stderr.write(`'${command}' takes no arguments (got '${argv.slice(1).join(' ')}'); settings are environment variables, e.g. PORT=4000\n${USAGE}\n`)
    process.exitCode = 2
    return
  }
  const request = command === 'privacy' ? await privacyRequest(argv.slice(1)) : undefined
  if (request === null) return
  const config = loadConfig(process.env)
  if (command === 'migrate' || request !== undefined) {
    const s = await loadData()
    // `privacy` prints its answer on stdout: its log goes to stderr.
    const log = request === undefined ? s.pino(s.loggerOptions(config.logLevel)) : s.pino(s.loggerOptions(config.logLevel), s.pino.destination(2))
    installCrashHandlers(log)
    return request === undefined ? runMigrate(s, config, log) : runPrivacy(s, request, config, log)
  }
  checkRoleConfig(command as Role, config)
  const s = await loadService()
  const log = s.pino(s.loggerOptions(config.logLevel))
  installCrashHandlers(log)
  installShutdown(await start(s, command as Role, config, log), config.shutdownGraceMs, log)
}

async function runMigrate(s: Data, config: Config, log: Logger): Promise<void> {
  const { database, applied } = await openMigrated(s, config)
  try {
    log.info({ applied, engine: database.engine }, 'migrations applied')
  } finally {
    await database.close()
  }
}

/**
 * Opens the database and brings its schema up to date. A PostgreSQL that refuses us or cannot
 * be reached (a wrong DATABASE_URL, a database not created, a wrong password) is answered in
 * one line naming DATABASE_URL, not with the driver's stack.
 */
async function openMigrated(s: Data, config: Config): Promise<{ database: Database; applied: number }> {
  const url = config.database.url?.reveal()
  const database = await s.openDatabase({
    url, dataDir: config.database.dataDir, statementTimeoutMs: config.database.statementTimeoutMs, poolSize: config.database.poolSize,
  })
  try {
    const { applied } = await s.migrate(database.db)
    return { database, applied }
  } catch (err) {
    await database.close()
    throw (url === undefined ? undefined : s.unreachableDatabase(err, url)) ?? err
  }
}

/** `privacy export|erase <waId>`, or null after saying what is wrong (exit code 2). */
async function privacyRequest(args: string[]): Promise<PrivacyCommand | null> {
  // Only the privacy module: a malformed id is refused before the service loads.
  const { parsePrivacyCommand } = await import('./privacy/index.js')
  const parsed = parsePrivacyCommand(args)
  if (parsed.ok) return parsed.command
  process.stderr.write(parsed.usage ? `${parsed.problem}\n${USAGE}\n` : `atende: ${parsed.problem}\n`)
  process.exitCode = 2
  return null
}

/** Exit code of `atende privacy` when no customer data is held under the id. */
const EXIT_NOT_FOUND = 3

/**
 * `atende privacy export|erase`: the same export and erase as the admin API, from the
 * command line. Its queue runtime only produces (it removes an erased customer's jobs from
 * Redis); without Redis the wake-ups live in the serving process, where they find no row.
 */
async function runPrivacy(s: Data, request: PrivacyCommand, config: Config, log: Logger): Promise<void> {
  const { createPrivacy, createRuntime } = s
  const { database } = await openMigrated(s, config)
  const closers: Closer[] = [{ name: 'database', close: database.close }]
  try {
    const runtime = await createRuntime({ config, log, consume: false })
    closers.push({ name: 'runtime', close: runtime.close })
    const privacy = createPrivacy({ db: database.db, dispatcher: runtime.dispatcher, log })
    const answer = request.action === 'export' ? await privacy.exportCustomer(request.customer) : await privacy.eraseCustomer(request.customer)
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
  } catch (err) {
    if (!(err instanceof AtendeError && err.code === 'ATD_NOT_FOUND')) throw err
    process.stderr.write(`atende: ${err.message}\n`)
    process.exitCode = EXIT_NOT_FOUND
  } finally {
    await closeAll(closers, log)
  }
}

/** Creates resources in dependency order; the returned closers release them in reverse. */
async function start(s: Service, role: Role, config: Config, log: Logger): Promise<Started> {
  const {
    classifyFailure, createAiProvider, createAlerts, createApps, createBusinessCalendar, createConsoleClient, createEventRelay, createIngest,
    createJobStats, createLearnedAi, createMetrics, createMetricsApp, createPrivacy, createProcessors, createReconciler, createRedisWatch,
    createRetention, createRuntime, inboxBacklog, insertAlerts, instrumentProcessors, loadKnowledgeBase, readQueueMetrics, withSimulatorConsole,
  } = s
  const closers: Closer[] = []
  try {
    const { database, applied } = await openMigrated(s, config)
    closers.push({ name: 'database', close: database.close })
    log.info({ engine: database.engine, migrationsApplied: applied }, 'database ready')

    // Early, so they close late: alerts raised while the rest shuts down still go out.
    const metrics = createMetrics()
    const alerts = createAlerts({
      log,
      webhookUrl: config.ops.alerts.webhookUrl,
      cooldownMs: config.ops.alerts.cooldownMs,
      // Kept for GET /api/alerts; written in the background, never on the raising path (decision 0019).
      store: (batch) => insertAlerts(database.db, batch),
    })
    closers.push({ name: 'alerts', close: alerts.close })
    const jobStats = createJobStats()

    const kb = await loadKnowledgeBase(config.ai.knowledgeBasePath)
    // The file plus the approved additions in the database, re-read when they change (decision 0017).
    const ai = createLearnedAi({ db: database.db, kb, build: (k) => createAiProvider(config.ai, k) })
    // Outside the limiter: the simulator's replies never reach Meta, so they spend none of its rate.
    const whatsapp = withSimulatorConsole(observeSends(s, limitSends(s, createWhatsAppClient(s, config, log), role, config, log, closers), metrics, alerts), createConsoleClient({ log }))
    const warnings = configWarnings(config)
    for (const warning of warnings) log.warn(warning)
    if (config.adminToken !== undefined && isAdminTokenShort(config.adminToken.reveal())) {
      log.warn({ minLength: ADMIN_TOKEN_MIN_LENGTH }, 'ADMIN_TOKEN is short: it could be guessed (refused when NODE_ENV=production)')
    }

    // Before the runtime, so that it closes after the workers that use it.
    const images = role === 'api' ? undefined : createImageAnalysers(s, config, kb.business.language, closers)
    // A work claim outlives any one job, as a turn's lease does (src/workers/turn.ts).
    const workLeaseMs = config.ai.timeoutMs + 4 * config.whatsapp.timeoutMs + 5_000
    const runtime = await createRuntime({ config, log, consume: role !== 'api', failover: { db: database.db, workLeaseMs } })
    closers.push({ name: 'runtime', close: runtime.close })
    const debounce = config.turns
    if (images !== undefined) runtime.startWorkers(instrumentProcessors(
      createProcessors({
        db: database.db,
        dispatcher: runtime.dispatcher,
        whatsapp,
        ai,
        images,
        messages: { apology: kb.messages.apology, handoff: kb.messages.handoff, audioUnheard: kb.messages.audioUnheard },
        audioFallback: config.audio.fallback,
        debounce,
        aiTimeoutMs: config.ai.timeoutMs,
        sendTimeoutMs: config.whatsapp.timeoutMs,
        log,
        lifecycle: {
          nps: config.nps,
          idleMs: config.lifecycle.idleMs,
          messages: {
            nps: kb.messages.nps, npsScoreAgain: kb.messages.npsScoreAgain, npsReason: kb.messages.npsReason,
            npsThanks: kb.messages.npsThanks, npsOptOut: kb.messages.npsOptOut,
          },
          onAlert: (a) => {
            alerts.raise('nps_detractor', { subject: String(a.conversationId), details: { conversationId: a.conversationId, score: a.score } })
          },
          // undefined: the learning runs are marked due in this database (workers/learning.ts).
          learning: undefined,
        },
        handoff: {
          calendar: createBusinessCalendar(config.businessHours.hours, config.businessHours.timeZone),
          timeZone: config.businessHours.timeZone,
          language: kb.business.language,
          closedMessage: kb.messages.handoffClosed,
          alertMs: config.lifecycle.handoffAlertMs,
        },
        observe: {
          handoff: metrics.handoff,
          imageAnalysed: metrics.imageAnalysed,
          npsResponse: (category) => metrics.npsResponse(category),
        },
      }),
      // The runtimes' own classification: a job they end at once is failed for good.
      { metrics, alerts, stats: jobStats, isFinal: (err) => classifyFailure(err) === 'final' },
    ))
    logRuntime(role, config, log)
    metrics.setQueueCounts(runtime.inspector.counts)
    const monitor = startOpsMonitor(s, database.db, config, alerts, log, runtime)
    closers.push({ name: 'ops monitor', close: monitor.close })
    if (config.redis !== undefined) {
      const watch = createRedisWatch({ connected: runtime.inspector.connected, alerts })
      closers.push({ name: 'redis watch', close: watch.close })
    }
    const events = config.ops.events
    if (events !== undefined) {
      // Every process collects and competes for the delivery lease; one delivers at a time.
      const relay = createEventRelay({ db: database.db, log, url: events.webhookUrl, secret: events.secret })
      closers.push({ name: 'event relay', close: relay.close })
    }

    const reconciler = createReconciler({
      db: database.db, dispatcher: runtime.dispatcher, log, ...config.reconciler,
      onHandoffAlert: (a) => alerts.raise('handoff_waiting', { subject: String(a.conversationId), details: { conversationId: a.conversationId } }),
    })
    closers.push({ name: 'reconciler', close: reconciler.close })
    // Back on Redis after an outage: what the drained in-process runtime left goes to Redis.
    runtime.onSwitchedBack((since) => reconciler.catchUp(since))
    if (role !== 'api') {
      // Every such process asks; the database lets one purge per hour (docs/privacy.md).
      const retention = createRetention({
        db: database.db, log, retentionDays: config.privacy.retentionDays, alertRetentionDays: config.ops.alerts.retentionDays,
      })
      closers.push({ name: 'retention', close: retention.close })
    }

    if (role !== 'worker') {
      const ingest = createIngest({ db: database.db, dispatcher: runtime.dispatcher, log, debounce, commitTimeoutMs: config.database.statementTimeoutMs })
      const http = await createApps({
        log,
        ingest,
        whatsapp: { appSecret: config.whatsapp.appSecret, verifyToken: config.whatsapp.verifyToken },
        health: { pingDatabase: database.ping, databaseEngine: database.engine, runtimeMode: () => s.describeRuntime(runtime.status()), timeoutMs: config.database.statementTimeoutMs, warnings },
        db: database.db,
        adminToken: config.adminToken,
        trustProxy: config.http.trustProxy,
        separateAdminListener: config.adminListener !== undefined,
        privacy: createPrivacy({ db: database.db, dispatcher: runtime.dispatcher, log }),
        learningDepartments: kb.departments.map((d) => d.id),
        ops: {
          metrics,
          alerts,
          metricsToken: config.ops.metrics.token,
          metricsOpenOnPublic: isMetricsOpenOnPublic(config),
          queueMetrics: () => readQueueMetrics({
            mode: runtime.dispatcher.mode,
            inspector: runtime.inspector,
            stats: jobStats,
            webhookLatency: metrics.webhookLatency,
            inbox: () => inboxBacklog(database.db, new Date()),
          }),
        },
        businessTimeZone: config.businessHours.timeZone,
        dispatcher: runtime.dispatcher,
        surveyDelayMs: config.nps.enabled ? config.nps.delayMs : undefined,
        dashboard: {
          agents: config.dashboard.agents,
          simulator: config.dashboard.simulator,
          queueBoard: runtime.queues.length > 0 ? { kind: 'bullmq', queues: runtime.queues } : { kind: 'database' },
        },
      })
      closers.push({ name: 'http', close: async () => { await http.public.close(); await ingest.idle() } })
      // Pushed last, so closed first: both listeners stop before the workers and the database.
      const admin = http.admin
      if (admin !== undefined) closers.push({ name: 'admin http', close: () => admin.close() })
      await http.public.listen({ port: config.http.port, host: config.http.host })
      log.info({ agents: config.dashboard.agents.length, simulator: config.dashboard.simulator, listener: admin === undefined ? 'public' : 'admin' }, 'dashboard at /admin')
      if (admin !== undefined && config.adminListener !== undefined) {
        // A copy: listen() writes into its options, and the config is frozen.
        const { host, port } = config.adminListener
        await admin.listen({ host, port })
        log.info({ host, port }, 'admin API on its own listener')
      }
    }
    const metricsPort = config.ops.metrics.port
    if (metricsPort !== undefined) {
      const metricsApp = await createMetricsApp({ log, metrics, metricsToken: config.ops.metrics.token })
      closers.push({ name: 'metrics http', close: () => metricsApp.close() })
      await metricsApp.listen({ port: metricsPort, host: config.http.host })
      log.info({ host: config.http.host, port: metricsPort }, 'metrics on their own listener')
    }
    log.info({ role, ai: ai.name, whatsapp: whatsapp.transport, business: kb.business.name }, 'atende started')
    return { closers, abort: runtime.abort }
  } catch (err) {
    await closeAll(closers, log)
    throw err
  }
}

function createImageAnalysers(s: Service, config: Config, language: Language, closers: Closer[]): ImageAnalysers {
  const { createCodeReader, createImageDescriber, createPdfReader, createTranscriber } = s
  const reader = createCodeReader({ threads: config.images.readerThreads, maxImageBytes: config.images.maxBytes })
  closers.push({ name: 'image reader', close: reader.close })
  const pdf = createPdfReader({ maxBytes: config.documents.maxBytes, maxPages: config.documents.pdfMaxPages, timeoutMs: config.documents.pdfTimeoutMs })
  closers.push({ name: 'pdf reader', close: pdf.close })
  return { reader, describer: createImageDescriber(config), language, transcriber: createTranscriber(config), pdf }
}

function createWhatsAppClient(s: Service, config: Config, log: Logger): WhatsAppClient {
  const { createCloudClient, createConsoleClient } = s
  const w = config.whatsapp
  if (w.transport === 'console') return createConsoleClient({ log })
  return createCloudClient({ apiBaseUrl: w.apiBaseUrl, token: w.token!, timeoutMs: w.timeoutMs, mediaHosts: w.mediaHosts })
}

/** Counts what is sent, and alerts on Meta's rate-limit and quality refusals (codes only). */
function observeSends(s: Service, client: WhatsAppClient, metrics: Metrics, alerts: Alerts): WhatsAppClient {
  return s.withSendObserver(client, {
    sent: metrics.replySent,
    refused: (kind, metaCode) =>
      alerts.raise(kind === 'rate_limit' ? 'meta_rate_limit' : 'meta_quality', { subject: String(metaCode), details: { metaCode } }),
  })
}

/** How often the conditions over time (hand-offs waiting, backlogs) are checked. */
const OPS_MONITOR_INTERVAL_MS = 15_000

function startOpsMonitor(s: Service, db: Db, config: Config, alerts: Alerts, log: Logger, runtime: Runtime) {
  const { claimScheduledRun, createOpsMonitor, findWaitingHandoffs } = s
  const a = config.ops.alerts
  return createOpsMonitor({
    queueCounts: runtime.inspector.counts,
    countsAreLocal: runtime.dispatcher.mode === 'in-process',
    alerts,
    log,
    // A little under the interval, so the process whose timer comes first each round claims it.
    claim: (at) => claimScheduledRun(db, 'ops-monitor', at, OPS_MONITOR_INTERVAL_MS - 1_000),
    waitingHandoffs: (before) => findWaitingHandoffs(db, before, 100),
    handoffAlertMs: a.handoffAlertMs,
    backlog: a.backlog,
    backlogSeconds: a.backlogSeconds,
    intervalMs: OPS_MONITOR_INTERVAL_MS,
  })
}

/**
 * Paces the client's sends per number (DESIGN.md, "Sending rate"): across processes through
 * Redis when it is configured, per process otherwise. Only the cloud transport reaches Meta,
 * and `api` sends nothing. The connection is closed after the workers (closers run in reverse).
 */
function limitSends(s: Service, client: WhatsAppClient, role: Role, config: Config, log: Logger, closers: Closer[]): WhatsAppClient {
  const { createLocalSendLimiter, createRedisSendLimiter, hasAnyLimit, Redis, redisOptions, withSendLimiter } = s
  const rates = config.whatsapp.sendRate
  if (client.transport !== 'cloud' || role === 'api' || !hasAnyLimit(rates)) return client
  const local = createLocalSendLimiter({ rates })
  let limiter: SendLimiter = local
  if (config.redis !== undefined) {
    const connection = new Redis(redisOptions(config.redis, 'limiter'))
    // The limiter warns once per outage; every reconnect attempt would repeat it.
    connection.on('error', (err) => log.debug({ err }, 'redis send-limiter connection error'))
    // quit() needs Redis to answer; when it cannot, dropping the socket is all there is to do.
    closers.push({ name: 'send limiter', close: () => connection.quit().catch(() => connection.disconnect()) })
    limiter = createRedisSendLimiter({ connection, prefix: config.redis.prefix, rates, fallback: local, log })
  }
  const { perSecond, burst, maxWaitMs } = rates
  log.info({ perSecond, burst, overrides: Object.keys(rates.overrides).length, maxWaitMs, shared: config.redis !== undefined }, 'send limiter on')
  return withSendLimiter(client, limiter, { maxWaitMs })
}

/** In the spirit of the original's startup lines, so its runbooks still read. */
function logRuntime(role: Role, config: Config, log: Logger): void {
  const concurrency = Object.fromEntries(Object.entries(config.queues).map(([q, s]) => [q, s.concurrency]))
  if (config.redis === undefined) {
    log.warn({ concurrency }, 'queue workers disabled: REDIS_URL not set; the in-process runtime serves the same queues from the database')
    return
  }
  log.info({ queues: Object.keys(config.queues), prefix: config.redis.prefix, tls: config.redis.tls }, 'queue system initialised')
  if (role !== 'api') log.info({ workers: Object.keys(config.queues).length, concurrency }, 'queue workers started')
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const listen = err as { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown }
  if (err instanceof AtendeError && ['ATD_CONFIG_INVALID', 'ATD_KNOWLEDGE_BASE_INVALID', 'ATD_DATA_DIR_LOCKED', 'ATD_DATABASE_UNREACHABLE'].includes(err.code)) {
    // Configuration problems are the operator's to fix: the message, not a stack trace.
    process.stderr.write(`atende: ${err.message}\n`)
  } else if (listen.syscall === 'listen' && (listen.code === 'EADDRINUSE' || listen.code === 'EACCES')) {
    const why = listen.code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'
    process.stderr.write(`atende: cannot listen on ${String(listen.address)}:${String(listen.port)}: ${why}; set PORT (or ADMIN_PORT, METRICS_PORT) to a free port\n`)
  } else {
    process.stderr.write(`atende: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  }
  process.exit(1)
})
