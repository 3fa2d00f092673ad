/**
 * The installed tree runs on the Node this project supports (package.json `engines`), so
 * `npm ci` prints no EBADENGINE warning: every package in the lockfile declares support for
 * the running Node, and every runtime package for our lowest supported one as well. See
 * docs/decisions/0006-cookie-1-under-light-my-request.md for the one override this takes.
 */
import Fastify from 'fastify'
import { readFileSync } from 'node:fs'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

interface LockedPackage {
  engines?: Record<string, string> | string[]
  dev?: boolean
  os?: string[]
  cpu?: string[]
}

const read = (path: string) => JSON.parse(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')) as unknown
const lock = read('package-lock.json') as { packages: Record<string, LockedPackage> }
const manifest = read('package.json') as { engines: { node: string } }
const lowest = semver.minVersion(manifest.engines.node)!.version

/** npm skips an optional package built for another platform: its engines do not matter here. */
const installedHere = (p: LockedPackage) =>
  (p.os === undefined || p.os.includes(process.platform)) && (p.cpu === undefined || p.cpu.includes(process.arch))

function unsupported(node: string, keep: (p: LockedPackage) => boolean): string[] {
  return Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && keep(p) && installedHere(p))
    .flatMap(([path, p]) => {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node
      return range === undefined || semver.satisfies(node, range) ? [] : [`${path} needs node ${range}`]
    })
}

describe('the dependency tree', () => {
  it('supports the running Node in every package', () => {
    expect(unsupported(process.version, () => true)).toEqual([])
  })

  it(`supports the lowest Node of package.json (${lowest}) in every runtime package`, () => {
    expect(unsupported(lowest, (p) => p.dev !== true)).toEqual([])
  })

  it('still injects requests with cookies (light-my-request encodes them with the cookie package)', async () => {
    const app = Fastify()
    app.get('/', async (request) => ({ cookie: request.headers.cookie }))
    try {
      const res = await app.inject({ url: '/', cookies: { session: 'a b;c', other: '1' } })
      expect(res.json()).toEqual({ cookie: 'session=a%20b%3Bc; other=1' })
    } finally {
      await app.close()
    }
  })
})
