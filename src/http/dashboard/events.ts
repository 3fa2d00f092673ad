import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsync } from 'fastify'
import { DashboardBusyError } from '../../errors.js'
import type { ChangeFeed } from './change-feed.js'

export interface EventRoutesOptions {
  feed: ChangeFeed
  /** Live streams one process serves at once. @defaultValue 200 */
  maxStreams?: number
}

/** A comment line now and then keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000

/**
 * `GET /admin/api/events`: Server-Sent Events, `event: change` with `{ "conversations": [ids] }`
 * whenever conversations change (their row or messages); the page then re-reads what it shows.
 * Ids only: what a conversation holds is read through the guarded JSON routes.
 */
export const eventRoutes: FastifyPluginAsync<EventRoutesOptions> = async (app, options) => {
  const maxStreams = options.maxStreams ?? 200
  const open = new Set<ServerResponse>()
  // Before the server stops accepting: an open stream would otherwise hold close() for ever.
  app.addHook('preClose', async () => {
    for (const res of open) res.end()
  })

  app.get('/api/events', async (request, reply) => {
    if (open.size >= maxStreams) throw new DashboardBusyError(maxStreams)
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    })
    res.write('retry: 2000\n\n')
    open.add(res)
    const unsubscribe = options.feed.subscribe((ids) => {
      res.write(`event: change\ndata: ${JSON.stringify({ conversations: ids })}\n\n`)
    })
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS)
    const end = () => {
      clearInterval(heartbeat)
      unsubscribe()
      open.delete(res)
    }
    request.raw.once('close', end)
    res.once('close', end)
  })
}
