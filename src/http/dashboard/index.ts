import cookie from '@fastify/cookie'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { AgentToken, Secret } from '../../config/index.js'
import { BadRequestError } from '../../errors.js'
import type { Db } from '../../store/index.js'
import { notFound } from '../errors.js'
import { adminProxyRoutes, inboxProxyRoutes, type AdminApi } from './admin-api-proxy.js'
import { loadAssets } from './assets.js'
import { createChangeFeed } from './change-feed.js'
import { eventRoutes } from './events.js'
import { installAdminOnly, installSessionGuard } from './guard.js'
import { loginRoutes } from './login.js'
import { queueBoardRoutes, type QueueBoard } from './queues.js'
import { createSessions } from './session.js'
import { assetRoutes, shellPage, type ShellContext } from './shell.js'
import { simulatorRoutes, type WebhookPoster } from './simulator.js'

export { injectAdminApi, type AdminApi } from './admin-api-proxy.js'
export { type QueueBoard } from './queues.js'
export { type WebhookPoster } from './simulator.js'

export interface DashboardOptions {
  db: Db
  /** ADMIN_TOKEN: logs in as the admin (every page). */
  adminToken: Secret | undefined
  /** AGENT_TOKENS: log in to the inbox only. */
  agents: readonly AgentToken[]
  /** The admin API, which the dashboard's buttons and views call. */
  adminApi: AdminApi
  simulator: { enabled: boolean; appSecret: Secret | undefined; postWebhook: WebhookPoster }
  queueBoard: QueueBoard
  runtimeMode: 'queues' | 'in-process'
  /** How often live views poll the database for changes. @defaultValue 500 */
  changePollMs?: number
}

/** Bodies the dashboard takes: a login, an agent's message (≤ 4,096 chars), a proposal's edit. */
const BODY_LIMIT_BYTES = 64 * 1024

const sessionAnswer = {
  type: 'object',
  properties: {
    role: { type: 'string' },
    agent: { type: 'string' },
    csrfToken: { type: 'string' },
    simulator: { type: 'boolean' },
    runtime: { type: 'string' },
  },
  required: ['role', 'agent', 'csrfToken', 'simulator', 'runtime'],
} as const

/** Pages of the signed-in app (web/dashboard/app.js routes between them). */
const INBOX_PAGES = ['/', '/inbox', '/inbox/:id']
const ADMIN_PAGES = ['/overview', '/nps', '/learning', '/simulator']

/**
 * The web dashboard under `/admin` (register with `prefix: '/admin'`): the login and the
 * assets are public; everything else is behind the session guard, and everything but the
 * inbox behind the admin role. See docs/decisions/0024–0026.
 */
export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, options) => {
  await app.register(cookie)
  app.decorateRequest('dashboardSession', null)
  // JSON and forms only (anything else: 415), smaller than the server's default: nothing the
  // dashboard takes comes near it.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, app.getDefaultJsonParser('error', 'error'))
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => {
    const fields = [...new URLSearchParams(body as string)]
    // Which of two `token` (or `_csrf`, `next`) fields counts would be a guess: refused, as a
    // JSON array in their place is.
    const seen = new Set<string>()
    for (const [name] of fields) {
      if (seen.has(name)) return done(new BadRequestError(`form field ${JSON.stringify(name.slice(0, 64))} is repeated; send each field once`), undefined)
      seen.add(name)
    }
    done(null, Object.fromEntries(fields))
  })
  const sessions = createSessions(options)
  const assets = await loadAssets()
  const feed = createChangeFeed({ db: options.db, intervalMs: options.changePollMs, log: app.log })
  app.addHook('onClose', async () => feed.close())
  const context: ShellContext = { simulator: options.simulator.enabled, runtime: options.runtimeMode }

  await app.register(assetRoutes, { assets })
  await app.register(loginRoutes, { sessions })

  await app.register(async (guarded) => {
    installSessionGuard(guarded, sessions)
    guarded.setNotFoundHandler(notFound)
    const shell = async (request: FastifyRequest, reply: FastifyReply) => {
      const page = shellPage(request, context)
      return reply.headers(page.headers).send(page.html)
    }
    for (const path of INBOX_PAGES) guarded.get(path, shell)
    guarded.post('/logout', async (request, reply) => {
      await sessions.close(request.dashboardSession ?? undefined, reply)
      return reply.redirect('/admin/login', 302)
    })
    guarded.get('/api/session', { schema: { response: { 200: sessionAnswer } } }, async (request) => {
      const s = request.dashboardSession!
      return { role: s.role, agent: s.agent, csrfToken: s.csrfToken, ...context }
    })
    await guarded.register(eventRoutes, { feed })
    await guarded.register(inboxProxyRoutes, { api: options.adminApi })

    await guarded.register(async (adminOnly) => {
      installAdminOnly(adminOnly)
      for (const path of ADMIN_PAGES) adminOnly.get(path, shell)
      // In-process mode: the queue page is ours (bull-board needs Redis).
      if (options.queueBoard.kind !== 'bullmq') adminOnly.get('/queues', shell)
      await adminOnly.register(adminProxyRoutes, { api: options.adminApi })
      await adminOnly.register(simulatorRoutes, { enabled: options.simulator.enabled, db: options.db, appSecret: options.simulator.appSecret, postWebhook: options.simulator.postWebhook })
      await adminOnly.register(queueBoardRoutes, { board: options.queueBoard, db: options.db })
    })
  })
}
