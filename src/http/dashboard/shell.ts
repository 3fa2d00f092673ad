import { createHash } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { IMPORT_MAP, type Asset } from './assets.js'
import { escapeHtml, languageOf, pageHeaders } from './html.js'

export interface AssetRoutesOptions {
  assets: ReadonlyMap<string, Asset>
}

/** `GET /admin/assets/*`: public (the login page needs the stylesheet); code, never data. */
export const assetRoutes: FastifyPluginAsync<AssetRoutesOptions> = async (app, options) => {
  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const asset = options.assets.get(request.params['*'])
    if (asset === undefined) return reply.code(404).send({ code: 'ATD_NOT_FOUND', message: 'no such dashboard asset' })
    reply.headers({ 'content-type': asset.contentType, etag: asset.etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' })
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return reply.send(asset.body)
  })
}

/** What the page knows about its session and this process (no secret but the CSRF token). */
export interface ShellContext {
  simulator: boolean
  runtime: 'queues' | 'in-process'
}

const IMPORT_MAP_HASH = createHash('sha256').update(IMPORT_MAP).digest('base64')

/**
 * The one HTML page of the signed-in dashboard: the app (src: web/dashboard/app.js) routes by
 * path. The session's CSRF token rides in a meta tag for the page's mutations.
 */
export function shellPage(request: FastifyRequest, context: ShellContext): { headers: Record<string, string>; html: string } {
  const session = request.dashboardSession!
  const boot = JSON.stringify({ role: session.role, agent: session.agent, simulator: context.simulator, runtime: context.runtime })
  const html = `<!doctype html>
<html lang="${languageOf(request)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Atende</title>
<meta name="atende-csrf" content="${escapeHtml(session.csrfToken)}">
<meta name="atende-boot" content="${escapeHtml(boot)}">
<link rel="stylesheet" href="/admin/assets/style.css">
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="/admin/assets/app.js"></script>
</head>
<body>
<div id="app"></div>
</body>
</html>
`
  return { headers: pageHeaders([IMPORT_MAP_HASH]), html }
}
