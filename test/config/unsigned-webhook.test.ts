/**
 * Issue #8, finding 4: a forgotten WHATSAPP_APP_SECRET must not leave a live WhatsApp
 * number's webhook open to anyone. With the cloud transport Atende refuses to start without
 * it, unless WHATSAPP_ALLOW_UNSIGNED=true says so on purpose; then it warns.
 */
import { describe, expect, it } from 'vitest'
import { configWarnings, loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

const cloud = { WHATSAPP_TRANSPORT: 'cloud', WHATSAPP_TOKEN: 'test-wa-token-placeholder' }

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected loadConfig to refuse this environment')
}

describe('the webhook signature with the cloud transport', () => {
  it('refuses to start without WHATSAPP_APP_SECRET, in one line that names the way out', () => {
    const problems = problemsOf(cloud)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^WHATSAPP_APP_SECRET: required when WHATSAPP_TRANSPORT=cloud/)
    expect(problems[0]).toContain('WHATSAPP_ALLOW_UNSIGNED=true')
  })

  it.each([['empty', ''], ['whitespace-only', ' \t ']])('counts an %s secret as unset', (_name, value) => {
    expect(problemsOf({ ...cloud, WHATSAPP_APP_SECRET: value })).toEqual([expect.stringMatching(/^WHATSAPP_APP_SECRET: required/)])
  })

  it.each([['unset', undefined], ['empty', ''], ['false', 'false']])('is not talked out of it by WHATSAPP_ALLOW_UNSIGNED %s', (_name, value) => {
    const env = value === undefined ? cloud : { ...cloud, WHATSAPP_ALLOW_UNSIGNED: value }
    expect(problemsOf(env)).toHaveLength(1)
  })

  it('rejects a WHATSAPP_ALLOW_UNSIGNED that is neither true nor false', () => {
    expect(problemsOf({ ...cloud, WHATSAPP_ALLOW_UNSIGNED: 'yes' }).join('\n')).toContain('WHATSAPP_ALLOW_UNSIGNED')
  })

  it('starts unsigned when WHATSAPP_ALLOW_UNSIGNED=true, and says so', () => {
    const config = loadConfig({ ...cloud, WHATSAPP_ALLOW_UNSIGNED: 'true' })
    expect(config.whatsapp.appSecret).toBeUndefined()
    expect(config.whatsapp.allowUnsigned).toBe(true)
    expect(configWarnings(config)).toEqual([expect.stringMatching(/^WHATSAPP_APP_SECRET is not set .*signatures are NOT verified/)])
  })

  it('keeps the production rule: WHATSAPP_ALLOW_UNSIGNED does not apply there, and the secret is named once', () => {
    const problems = problemsOf({ ...cloud, NODE_ENV: 'production', WHATSAPP_ALLOW_UNSIGNED: 'true' })
    expect(problems).toEqual([expect.stringMatching(/^WHATSAPP_APP_SECRET: required when NODE_ENV=production/)])
  })

  it('verifies signatures and warns of nothing once the secret is set', () => {
    const config = loadConfig({ ...cloud, WHATSAPP_APP_SECRET: 'test-app-secret', WHATSAPP_ALLOW_UNSIGNED: 'true' })
    expect(config.whatsapp.appSecret?.reveal()).toBe('test-app-secret')
    expect(configWarnings(config)).toEqual([])
  })

  it('lets the console transport (nothing reaches a customer) start unsigned, with a warning', () => {
    const config = loadConfig({})
    expect(config.whatsapp.allowUnsigned).toBe(false)
    expect(configWarnings(config)).toEqual([expect.stringMatching(/^WHATSAPP_APP_SECRET is not set/)])
  })
})
