import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The dashboard's own files: plain ES modules and CSS, served as written (no build step). */
export const WEB_DIR = fileURLToPath(new URL('../../../web/dashboard/', import.meta.url))

export interface Asset {
  body: Buffer
  contentType: string
  etag: string
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

/**
 * Preact and htm, straight from node_modules: `npm ci` is the whole install, and nothing is
 * fetched from a CDN (docs/decisions/0025). Names as the import map spells them.
 */
function vendorFiles(): Record<string, string> {
  const require = createRequire(import.meta.url)
  const preact = dirname(require.resolve('preact/package.json'))
  return {
    'vendor/preact.mjs': join(preact, 'dist/preact.mjs'),
    'vendor/hooks.mjs': join(preact, 'hooks/dist/hooks.mjs'),
    'vendor/htm.mjs': join(dirname(require.resolve('htm')), 'htm.mjs'),
  }
}

/** The import map of every page: bare specifiers of the vendored modules. */
export const IMPORT_MAP = JSON.stringify({
  imports: { preact: '/admin/assets/vendor/preact.mjs', 'preact/hooks': '/admin/assets/vendor/hooks.mjs', htm: '/admin/assets/vendor/htm.mjs' },
})

/**
 * Reads every asset once, at start: a fixed map of names, so no request path ever reaches
 * the file system.
 */
export async function loadAssets(): Promise<ReadonlyMap<string, Asset>> {
  const files: Record<string, string> = vendorFiles()
  for (const name of await readdir(WEB_DIR)) {
    if (TYPES[extension(name)] !== undefined) files[name] = join(WEB_DIR, name)
  }
  const assets = new Map<string, Asset>()
  for (const [name, path] of Object.entries(files)) {
    const body = await readFile(path)
    assets.set(name, { body, contentType: TYPES[extension(name)]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` })
  }
  return assets
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot)
}

/** Bytes a browser downloads for the whole dashboard (every asset once). */
export function totalBytes(assets: ReadonlyMap<string, Asset>): number {
  let total = 0
  for (const a of assets.values()) total += a.body.length
  return total
}
