import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

describe('RETENTION_DAYS', () => {
  it('keeps everything by default', () => {
    expect(loadConfig({}).privacy).toEqual({ retentionDays: 0 })
  })

  it.each(['0', '8', '30', '3650'])('accepts %s', (days) => {
    expect(loadConfig({ RETENTION_DAYS: days }).privacy.retentionDays).toBe(Number(days))
  })

  it.each(['1', '7', '-1', '2.5', 'a week', '99999'])('refuses %s with one ConfigError that says why', (days) => {
    const err = (() => {
      try {
        loadConfig({ RETENTION_DAYS: days })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^RETENTION_DAYS: /)])
  })

  it('says why a week is not enough: Meta redelivers for 7 days', () => {
    expect(() => loadConfig({ RETENTION_DAYS: '7' })).toThrow(/at least 8 days: Meta redelivers a message for up to 7 days/)
  })
})
