/**
 * The size of the served front-end (issue #13's closing note): every dashboard asset, raw and
 * gzipped, as `GET /admin/assets/*` serves it. Run: `npx tsx scripts/dashboard-size.ts`.
 */
import { gzipSync } from 'node:zlib'
import { loadAssets, totalBytes } from '../src/http/dashboard/assets.js'

const assets = await loadAssets()
let gzipped = 0
for (const [name, asset] of [...assets].sort(([a], [b]) => a.localeCompare(b))) {
  const gz = gzipSync(asset.body).length
  gzipped += gz
  process.stdout.write(`${name.padEnd(22)} ${String(asset.body.length).padStart(7)} B  ${String(gz).padStart(6)} B gzip\n`)
}
process.stdout.write(`${'total'.padEnd(22)} ${String(totalBytes(assets)).padStart(7)} B  ${String(gzipped).padStart(6)} B gzip\n`)
