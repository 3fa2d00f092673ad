import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { Queue } from 'bullmq'
import type { FastifyPluginAsync } from 'fastify'
import { loadWorkCounts, type Db } from '../../store/index.js'

/**
 * What `/admin/queues` shows: bull-board over the BullMQ queues (Redis mode), or, in
 * in-process mode where Redis holds nothing, the dashboard's own page of the work the
 * database holds (`GET /admin/api/work-counts`).
 */
export type QueueBoard = { kind: 'bullmq'; queues: readonly Queue[] } | { kind: 'database' }

export interface QueueRoutesOptions {
  board: QueueBoard
  db: Db
}

/** Where bull-board lives; its UI calls its API under this path too. */
export const QUEUES_PATH = '/admin/queues'

/** Registered under `/admin`, inside the admin-only, session-guarded context. */
export const queueBoardRoutes: FastifyPluginAsync<QueueRoutesOptions> = async (app, options) => {
  app.get('/api/work-counts', async () => loadWorkCounts(options.db))
  const board = options.board
  if (board.kind !== 'bullmq') return
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(QUEUES_PATH)
  createBullBoard({
    queues: board.queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: {
      uiConfig: { boardTitle: 'Atende', hideDocsLink: true, miscLinks: [{ text: 'Atende', url: '/admin' }] },
    },
  })
  await app.register(async (boardApp) => {
    boardApp.addHook('onSend', async (_request, reply, payload) => {
      if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload
      reply.header('content-security-policy', BOARD_CSP)
      reply.header('x-frame-options', 'DENY')
      return payload.replace(EXTERNAL_STYLESHEET, '')
    })
    await boardApp.register(serverAdapter.registerPlugin(), { prefix: '/queues' })
  })
}

/**
 * bull-board's page links Google Fonts; the dashboard fetches nothing from elsewhere (a
 * visitor's address is nobody else's business), so the link is dropped and the CSP refuses
 * any other. Its own fonts fall back to the system's.
 */
const EXTERNAL_STYLESHEET = /<link[^>]+href="https?:\/\/[^"]*"[^>]*>/g
const BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'"

