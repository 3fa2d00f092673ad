import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

// main.ts loads the service's modules once a command needs them and spreads their exports
// into one object (`loadData`, `loadService`): a name two of them exported would silently
// stand for the later one. This keeps every name unique across what it spreads.
describe('the modules main.ts loads on demand', () => {
  it('export no name twice', async () => {
    const source = readFileSync(MAIN, 'utf8')
    const specifiers = [...new Set([...source.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1]!))]
    expect(specifiers.length).toBeGreaterThan(5)
    const owners = new Map<string, string[]>()
    for (const specifier of specifiers) {
      const namespace = (await import(specifier.startsWith('.') ? new URL(specifier, new URL('../src/main.ts', import.meta.url)).href : specifier)) as Record<string, unknown>
      // A package's default export is never spread: main.ts names what it takes from those.
      for (const name of Object.keys(namespace).filter((n) => n !== 'default')) owners.set(name, [...(owners.get(name) ?? []), specifier])
    }
    const twice = [...owners].filter(([, from]) => from.length > 1).map(([name, from]) => `${name}: ${from.join(', ')}`)
    expect(twice).toEqual([])
  })
})
