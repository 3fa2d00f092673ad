import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src', import.meta.url))
/**
 * Shared by every folder but the three at the bottom (see {@link BOTTOM}): the error
 * catalogue, configuration, the pure domain and the generic helpers.
 */
const SHARED = ['errors.ts', 'config', 'domain', 'lib']

/** The bottom of the map imports less than SHARED: exactly these (DESIGN.md, module map). */
const BOTTOM: Record<string, string[]> = {
  lib: [],
  // The error catalogue for one clear error on bad configuration, and the pure domain so a
  // setting with a grammar (BUSINESS_HOURS) is checked by the one parser that reads it.
  // DESIGN.md says "nothing of ours"; the drift is recorded in decision 0013.
  config: ['errors.ts', 'domain'],
  domain: ['lib'],
}

/**
 * DESIGN.md's module map: which folders each folder may import besides SHARED. The queue
 * contract (`queues/`) is what workers, ingest and privacy enqueue through and what
 * dispatch implements; dispatch never imports workers (main.ts hands it the processors).
 */
const ALLOWED: Record<string, string[]> = {
  ...BOTTOM,
  queues: [],
  store: [],
  whatsapp: [],
  ai: [],
  // Offline QR/ITF reading in worker threads: pure domain rules only, no I/O of ours.
  images: [],
  workers: ['queues', 'store', 'ai', 'whatsapp', 'images'],
  dispatch: ['queues', 'store'],
  ingest: ['queues', 'store', 'whatsapp'],
  http: ['ingest', 'store', 'queues', 'privacy', 'ops'],
  // pino options for main's root logger: the error serializer knows our error catalogue.
  log: [],
  // Customer data rights: the database's rows and the queue jobs of an erased customer.
  privacy: ['queues', 'store'],
  // Operations: the Prometheus registry, job figures and alert rules, over the queue contract.
  ops: ['queues'],
  // Outgoing events: a cursor over the store's rows and their signed delivery.
  events: ['store'],
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0]!

describe('module boundaries', () => {
  const all = files(SRC).filter((f) => !f.endsWith('main.ts'))

  it('imports only what DESIGN.md allows each folder', () => {
    const violations: string[] = []
    for (const file of all) {
      const from = folderOf(file)
      const allowed = ALLOWED[from]
      if (allowed === undefined) continue
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
        const to = target.split('/')[0]!
        if (to === from) continue
        const shared = BOTTOM[from] === undefined && (SHARED.includes(to) || target === 'errors.ts')
        if (shared) continue
        if (allowed.includes(to) || allowed.includes(target)) continue
        violations.push(`${relative(SRC, file)} imports ${target}`)
      }
    }
    expect(violations).toEqual([])
  })

  it('keeps domain/ pure: no Node modules, no I/O libraries, no clock', () => {
    const impure = files(join(SRC, 'domain')).flatMap((file) => {
      const text = readFileSync(file, 'utf8')
      const bad = imports(file).filter((s) => !s.startsWith('.'))
      if (/Date\.now\(\)|new Date\(\)|process\.|Math\.random/.test(text)) bad.push('clock, randomness or process')
      return bad.map((b) => `${relative(SRC, file)}: ${b}`)
    })
    expect(impure).toEqual([])
  })

  it('knows every folder of src/', () => {
    const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory())
    expect(folders.filter((f) => ALLOWED[f] === undefined)).toEqual([])
  })

  it('reads process.env only in main.ts', () => {
    const readers = all.filter((f) => readFileSync(f, 'utf8').includes('process.env')).map((f) => relative(SRC, f))
    expect(readers).toEqual([])
  })

  it('imports other folders only through their index.ts', () => {
    const deep: string[] = []
    for (const file of all) {
      for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
        const target = relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
        const parts = target.split('/')
        if (parts.length < 2 || parts[0] === folderOf(file) || parts[1] === 'index.ts') continue
        deep.push(`${relative(SRC, file)} imports ${target}`)
      }
    }
    expect(deep).toEqual([])
  })
})
