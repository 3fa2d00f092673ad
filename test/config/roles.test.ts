import { describe, expect, it } from 'vitest'
import { checkRoleConfig, loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

describe('checkRoleConfig', () => {
  it('lets serve run embedded, with nothing configured', () => {
    expect(() => checkRoleConfig('serve', loadConfig({}))).not.toThrow()
  })

  it('names every setting api and worker need beside other processes', () => {
    for (const role of ['api', 'worker'] as const) {
      const err = (() => {
        try {
          checkRoleConfig(role, loadConfig({}))
        } catch (e) {
          return e
        }
      })()
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).message).toContain('REDIS_URL')
      expect((err as ConfigError).message).toContain('DATABASE_URL')
    }
    expect(() => checkRoleConfig('worker', loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'postgres://127.0.0.1/test' }))).not.toThrow()
  })
})
