import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'

describe('loadConfig', () => {
  it('runs embedded with nothing configured', () => {
    const c = loadConfig({})
    expect(c.redis).toBeUndefined()
    expect(c.database.url).toBeUndefined()
    expect(c.ai.provider).toBe('local')
    expect(c.whatsapp.transport).toBe('console')
    expect(c.queues['message-processing']).toMatchObject({ concurrency: 5, attempts: 4, backoffMs: 1_000 })
    expect(c.queues['image-analysis'].concurrency).toBe(2)
    expect(c.queues['nps-survey'].concurrency).toBe(3)
    expect(c.queues['ai-response']).toMatchObject({ limiterMax: 10, limiterDurationMs: 1_000 })
    expect(Object.isFrozen(c.queues)).toBe(true)
  })

  it('reads an empty or blank value as unset, so a number takes its default rather than 0', () => {
    const blank = { PORT: '', SHUTDOWN_GRACE_MS: ' ', WHATSAPP_SEND_RATE_PER_SECOND: '', DEBOUNCE_MS: '', CONVERSATION_IDLE_MS: '', QUEUE_AI_RESPONSE_LIMITER_MAX: '' }
    expect(loadConfig(blank)).toEqual(loadConfig({}))
    // Before, a blank number was refused with a message about its size, not its absence.
    expect(() => loadConfig({ HOST: '', DATABASE_POOL_SIZE: '', QUEUE_AI_RESPONSE_CONCURRENCY: '\t' })).not.toThrow()
  })

  it('says a number must be digits, not that zod received NaN', () => {
    let err: unknown
    try {
      loadConfig({ PORT: 'abc', DEBOUNCE_MS: '1.5s' })
    } catch (e) {
      err = e
    }
    expect((err as ConfigError).problems).toEqual([
      'PORT: expected a whole number, digits only',
      'DEBOUNCE_MS: expected a whole number of milliseconds, digits only (e.g. 1500, not 1.5s)',
    ])
  })

  it('lists every invalid variable in one error', () => {
    let err: unknown
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', AI_PROVIDER: 'gpt', QUEUE_AI_RESPONSE_CONCURRENCY: '0' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    for (const key of ['PORT', 'REDIS_URL', 'AI_PROVIDER', 'QUEUE_AI_RESPONSE_CONCURRENCY']) expect(problems).toContain(key)
    expect((err as ConfigError).code).toBe('ATD_CONFIG_INVALID')
  })

  it('turns TLS on for the original UPSTASH_* settings and keeps the password secret', () => {
    const c = loadConfig({ UPSTASH_REDIS_HOST: 'example.upstash.io', UPSTASH_REDIS_PASSWORD: 'hunter2' })
    expect(c.redis).toMatchObject({ url: 'rediss://example.upstash.io:6379', tls: true })
    expect(c.redis?.password?.reveal()).toBe('hunter2')
    expect(JSON.stringify(c)).not.toContain('hunter2')
    expect(inspect(c, { depth: 10 })).not.toContain('hunter2')
  })

  it('refuses UPSTASH_REDIS_PASSWORD without UPSTASH_REDIS_HOST, which REDIS_URL would have ignored in silence', () => {
    expect(() => loadConfig({ REDIS_URL: 'rediss://redis.example:6380', UPSTASH_REDIS_PASSWORD: 'hunter2' })).toThrow(
      /UPSTASH_REDIS_PASSWORD: has no effect without UPSTASH_REDIS_HOST; with REDIS_URL, put the password in the URL/,
    )
  })

  it('takes the password out of REDIS_URL', () => {
    const c = loadConfig({ REDIS_URL: 'rediss://:s3cret@redis.example:6380/0' })
    expect(c.redis?.tls).toBe(true)
    expect(c.redis?.url).not.toContain('s3cret')
    expect(c.redis?.password?.reveal()).toBe('s3cret')
  })

  it('asks for OPENAI_API_KEY alone when AI_PROVIDER=openai lacks it, since that key serves transcription too', () => {
    const problems = (provider: Record<string, string>) => {
      try {
        loadConfig(provider)
        return []
      } catch (e) {
        return (e as ConfigError).problems
      }
    }
    expect(problems({ AI_PROVIDER: 'openai' })).toEqual(['OPENAI_API_KEY: required when AI_PROVIDER=openai'])
    expect(problems({ TRANSCRIPTION_PROVIDER: 'openai' })).toEqual([expect.stringMatching(/^TRANSCRIPTION_API_KEY: required/)])
  })

  it('refuses to run in production without the app secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/WHATSAPP_APP_SECRET/)
  })

  it('requires the credentials of the transports and providers it is told to use', () => {
    expect(() => loadConfig({ WHATSAPP_TRANSPORT: 'cloud', AI_PROVIDER: 'openai' })).toThrow(
      /WHATSAPP_TOKEN[\s\S]*OPENAI_API_KEY/,
    )
  })
})

describe('loadConfig: images', () => {
  it('keeps pictures offline by default and caps them at 5 MiB', () => {
    const c = loadConfig({})
    expect(c.images).toEqual({ maxBytes: 5 * 1024 * 1024, visionFallback: false, readerThreads: 1 })
    expect(c.ai.openaiVisionModel).toBe('gpt-4o-mini')
  })

  it('turns the vision fallback on with the openai provider unless told off', () => {
    const openai = { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-placeholder' }
    expect(loadConfig(openai).images.visionFallback).toBe(true)
    expect(loadConfig({ ...openai, IMAGE_VISION_FALLBACK: 'off' }).images.visionFallback).toBe(false)
  })

  it('refuses the vision fallback with the local provider, which has no vision', () => {
    expect(() => loadConfig({ IMAGE_VISION_FALLBACK: 'on' })).toThrow(/IMAGE_VISION_FALLBACK: 'on' needs AI_PROVIDER=openai/)
  })

  it('rejects a bad fallback switch and a non-positive byte cap', () => {
    expect(() => loadConfig({ IMAGE_VISION_FALLBACK: 'yes', IMAGE_MAX_BYTES: '0' })).toThrow(/IMAGE_VISION_FALLBACK[\s\S]*IMAGE_MAX_BYTES/)
  })
})

describe('loadConfig: the send limiter', () => {
  it('paces every number at 80 sends/s, one at a time, waiting at most 2 s, by default', () => {
    expect(loadConfig({}).whatsapp.sendRate).toEqual({ perSecond: 80, burst: 1, overrides: {}, maxWaitMs: 2_000 })
  })

  it('reads per-number rates for upgraded numbers', () => {
    const c = loadConfig({ WHATSAPP_SEND_RATE_OVERRIDES: ' 123456:250, 987654:1000,555:0 ', WHATSAPP_SEND_RATE_PER_SECOND: '0' })
    expect(c.whatsapp.sendRate).toMatchObject({ perSecond: 0, overrides: { '123456': 250, '987654': 1000, '555': 0 } })
    expect(Object.isFrozen(c.whatsapp.sendRate.overrides)).toBe(true)
  })

  it.each([
    ['123456=250', 'entry 1 of 1 is not a pair of whole numbers'],
    ['123456:250,abc:1', 'entry 2 of 2 is not a pair of whole numbers'],
    ['123456:2.5', 'entry 1 of 1 is not a pair of whole numbers'],
    ['123456:250,,9:1', 'entry 2 of 3 is not a pair of whole numbers'],
    ['123456:250,123456:300', 'entry 2 of 2 repeats a phone_number_id'],
  ])('refuses malformed overrides %j with one line that says what was expected', (value, why) => {
    let err: unknown
    try {
      loadConfig({ WHATSAPP_SEND_RATE_OVERRIDES: value })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toEqual([
      `WHATSAPP_SEND_RATE_OVERRIDES: expected comma-separated phone_number_id:rate pairs such as 123456:250; ${why}`,
    ])
  })

  it('refuses a longest wait for a slot that the send\'s own timeout would cut short', () => {
    expect(() => loadConfig({ WHATSAPP_SEND_MAX_WAIT_MS: '10000' })).toThrow(
      /WHATSAPP_SEND_MAX_WAIT_MS: must be less than WHATSAPP_TIMEOUT_MS \(10000\); got 10000/,
    )
  })

  it('refuses a burst of 0: one send must always be possible', () => {
    expect(() => loadConfig({ WHATSAPP_SEND_BURST: '0' })).toThrow(/WHATSAPP_SEND_BURST/)
  })
})
