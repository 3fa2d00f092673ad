import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

const LONG_TOKEN = 'x'.repeat(32)
const PRODUCTION = { NODE_ENV: 'production', WHATSAPP_APP_SECRET: 'app-secret' }

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  return []
}

describe('loadConfig: ADMIN_TOKEN', () => {
  it('refuses a token shorter than 32 characters in production, listed with the other problems', () => {
    const problems = problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'a' })
    expect(problems.some((p) => p.startsWith('ADMIN_TOKEN:') && p.includes('32'))).toBe(true)
    expect(problems.some((p) => p.startsWith('WHATSAPP_APP_SECRET:'))).toBe(true)
    expect(problems.join('\n')).not.toMatch(/\ba\b.*ADMIN_TOKEN|got 'a'/)
    expect(problemsOf({ ...PRODUCTION, ADMIN_TOKEN: 'x'.repeat(31) }).map((p) => p.split(':')[0])).toEqual(['ADMIN_TOKEN'])
  })

  it('counts characters, not bytes', () => {
    expect(problemsOf({ ...PRODUCTION, ADMIN_TOKEN: 'ç'.repeat(20) }).map((p) => p.split(':')[0])).toEqual(['ADMIN_TOKEN'])
  })

  it('accepts 32 characters in production, and a short token in development', () => {
    expect(loadConfig({ ...PRODUCTION, ADMIN_TOKEN: LONG_TOKEN }).adminToken?.reveal()).toBe(LONG_TOKEN)
    expect(loadConfig({ ADMIN_TOKEN: 'a' }).adminToken?.reveal()).toBe('a')
    expect(loadConfig(PRODUCTION).adminToken).toBeUndefined()
  })

  it('refuses a token with whitespace, which no Bearer header can carry', () => {
    expect(problemsOf({ ADMIN_TOKEN: 'two words' }).map((p) => p.split(':')[0])).toEqual(['ADMIN_TOKEN'])
  })
})

describe('loadConfig: ADMIN_HOST and ADMIN_PORT', () => {
  it('serves the admin API on the main listener by default', () => {
    expect(loadConfig({}).adminListener).toBeUndefined()
  })

  it('opens a separate admin listener on ADMIN_PORT, on loopback unless ADMIN_HOST says otherwise', () => {
    expect(loadConfig({ ADMIN_PORT: '3001' }).adminListener).toEqual({ host: '127.0.0.1', port: 3001 })
    expect(loadConfig({ ADMIN_PORT: '3001', ADMIN_HOST: '10.0.0.5' }).adminListener).toEqual({ host: '10.0.0.5', port: 3001 })
  })

  it.each([
    ['ADMIN_HOST without ADMIN_PORT', { ADMIN_HOST: '127.0.0.1' }, 'ADMIN_HOST'],
    ['ADMIN_PORT equal to PORT', { PORT: '3000', ADMIN_PORT: '3000' }, 'ADMIN_PORT'],
    ['a port out of range', { ADMIN_PORT: '70000' }, 'ADMIN_PORT'],
    ['port 0', { ADMIN_PORT: '0' }, 'ADMIN_PORT'],
    ['not a number', { ADMIN_PORT: 'admin' }, 'ADMIN_PORT'],
  ])('refuses %s', (_name, env, key) => {
    expect(problemsOf(env).map((p) => p.split(':')[0])).toEqual([key])
  })
})

describe('loadConfig: TRUST_PROXY', () => {
  it('is off by default', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: '' }).http.trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: 'false' }).http.trustProxy).toBe(false)
  })

  it('trusts every proxy with true, or only the listed addresses, networks and ranges', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true)
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1,loopback, fd00::/8, ::1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      'loopback',
      'fd00::/8',
      '::1',
    ])
  })

  it.each(['yes', '10.0.0.0/33', '10.0.0', 'fd00::/129', 'lb.internal', '10.0.0.1,'])('refuses %j', (value) => {
    expect(problemsOf({ TRUST_PROXY: value }).map((p) => p.split(':')[0])).toEqual(['TRUST_PROXY'])
  })
})
