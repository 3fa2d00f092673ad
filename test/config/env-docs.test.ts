import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { envSchema, loadConfig } from '../../src/config/index.js'

const keys = Object.keys(envSchema.shape).sort()
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

describe('configuration docs', () => {
  it('.env.example names every variable Atende reads, and nothing else', () => {
    const documented = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort()
    expect(documented).toEqual(keys)
  })

  it('.env.example as written is a valid configuration', () => {
    const env = Object.fromEntries([...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]))
    expect(() => loadConfig(env)).not.toThrow()
  })

  it('the README configuration table names every variable', () => {
    const readme = read('README.md')
    const missing = keys.filter((k) => !k.startsWith('QUEUE_') && !readme.includes(`\`${k}\``))
    expect(missing).toEqual([])
    expect(readme).toContain('QUEUE_<NAME>_CONCURRENCY')
  })
})
