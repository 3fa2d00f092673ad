/**
 * Issue #8, finding 8: in production, a password sent to a remote Redis over plain `redis://`
 * crosses the network in clear text. Atende still starts (a private network may be trusted),
 * but says so at start and on /readyz, and points at `rediss://`.
 */
import { describe, expect, it } from 'vitest'
import { configWarnings, loadConfig } from '../../src/config/index.js'

const production = { NODE_ENV: 'production', WHATSAPP_APP_SECRET: 'test-app-secret' }
// Only the Redis warnings: production also warns about METRICS_TOKEN (test/config/ops-config.test.ts).
const warningsWith = (env: Record<string, string>) => configWarnings(loadConfig({ ...production, ...env })).filter((w) => w.startsWith('REDIS_URL'))

describe('a Redis password in clear text', () => {
  it.each([
    ['a remote host name', 'redis://:s3cret@redis.internal.example:6379'],
    ['a remote IPv4 address', 'redis://:s3cret@10.0.0.7:6379'],
    ['a remote IPv6 address', 'redis://:s3cret@[2001:db8::7]:6379'],
    ['an ACL user and password', 'redis://atende:s3cret@redis.internal.example:6379'],
  ])('is warned about in production for %s', (_name, url) => {
    const warnings = warningsWith({ REDIS_URL: url })
    expect(warnings).toEqual([expect.stringMatching(/^REDIS_URL: .*password.*clear text.*rediss:\/\//)])
    expect(warnings.join()).not.toContain('s3cret')
  })

  it.each([
    ['rediss:// (TLS)', 'rediss://:s3cret@redis.internal.example:6380'],
    ['no password', 'redis://redis.internal.example:6379'],
    ['localhost', 'redis://:s3cret@localhost:6379'],
    ['127.0.0.1', 'redis://:s3cret@127.0.0.1:6379'],
    ['another 127/8 address', 'redis://:s3cret@127.0.0.2:6379'],
    ['::1', 'redis://:s3cret@[::1]:6379'],
    ['an IPv4-mapped loopback address', 'redis://:s3cret@[::ffff:127.0.0.1]:6379'],
  ])('is not warned about with %s', (_name, url) => {
    expect(warningsWith({ REDIS_URL: url })).toEqual([])
  })

  it('is not warned about outside production', () => {
    expect(configWarnings(loadConfig({ WHATSAPP_APP_SECRET: 'test-app-secret', REDIS_URL: 'redis://:s3cret@redis.internal.example:6379' }))).toEqual([])
  })

  it('cannot happen with the UPSTASH_* settings, which are always TLS', () => {
    expect(warningsWith({ UPSTASH_REDIS_HOST: 'example.upstash.io', UPSTASH_REDIS_PASSWORD: 's3cret' })).toEqual([])
  })
})
