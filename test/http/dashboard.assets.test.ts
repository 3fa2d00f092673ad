import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { IMPORT_MAP, loadAssets, totalBytes, WEB_DIR } from '../../src/http/dashboard/assets.js'

/** The front-end's budget: a few hundred KB at most (issue #13). */
const BUDGET_BYTES = 300 * 1024

describe('dashboard assets (no build step)', () => {
  it('serves the committed files and the vendored modules as they are, within budget', async () => {
    const assets = await loadAssets()
    const bytes = totalBytes(assets)
    expect(bytes).toBeLessThan(BUDGET_BYTES)
    expect([...assets.keys()].sort()).toEqual(expect.arrayContaining(['app.js', 'style.css', 'vendor/preact.mjs', 'vendor/hooks.mjs', 'vendor/htm.mjs']))
  })

  it('every import of every module resolves to a served asset: nothing needs building', async () => {
    const assets = await loadAssets()
    const bare = Object.keys((JSON.parse(IMPORT_MAP) as { imports: Record<string, string> }).imports)
    const mapped = Object.values((JSON.parse(IMPORT_MAP) as { imports: Record<string, string> }).imports)
    for (const url of mapped) expect(assets.has(url.replace('/admin/assets/', ''))).toBe(true)
    for (const name of [...assets.keys()].filter((n) => n.endsWith('.js') || n.endsWith('.mjs'))) {
      const text = assets.get(name)!.body.toString('utf8')
      for (const [, spec] of text.matchAll(/(?:^|[;\s}])import\s*(?:[^'"]*?from\s*)?["']([^"']+)["']/g)) {
        if (spec!.startsWith('./')) expect(assets.has(join(name, '..', spec!).replace(/^\.\//, '')), `${name} imports ${spec}`).toBe(true)
        else expect(bare, `${name} imports ${spec}`).toContain(spec)
      }
    }
  })

  it('serves only committed files of web/dashboard (nothing generated)', () => {
    const committed = execFileSync('git', ['ls-files', '--', 'web/dashboard'], { cwd: join(WEB_DIR, '../..'), encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.slice('web/dashboard/'.length))
    expect(readdirSync(WEB_DIR).sort()).toEqual(committed.sort())
  })

  it('the app is plain JavaScript the browser runs as written (no JSX, no TypeScript)', () => {
    const app = readFileSync(join(WEB_DIR, 'app.js'), 'utf8')
    expect(app).toContain("from 'preact'")
    expect(app).not.toMatch(/<[A-Z][A-Za-z]*[\s/>]/)
  })
})
