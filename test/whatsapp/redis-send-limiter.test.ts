import { once } from 'node:events'
import { Redis } from 'ioredis'
import { pino, type Logger } from 'pino'
import { loggerOptions } from '../../src/log/index.js'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, secret } from '../../src/config/index.js'
import { redisOptions } from '../../src/dispatch/index.js'
import type { SendRates } from '../../src/domain/index.js'
import { createCloudClient, createLocalSendLimiter, createRedisSendLimiter, withSendLimiter, type SendLimiter } from '../../src/whatsapp/index.js'
import { startFakeGraph } from '../helpers/fake-graph.js'
import { busiestSecond, senderOf } from '../helpers/pacing.js'
import { startRedisForTest, testPrefix, type RedisServer } from '../helpers/redis.js'
import { silentLog, within } from '../dispatch/helpers.js'

const NUMBER = '1000000001'
const customer = { waId: '5511900000001', userId: undefined, profileName: undefined }
const rates = (perSecond: number, burst: number, overrides: Record<string, number> = {}): SendRates => ({ perSecond, burst, overrides })

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** The process's own limiter, counting the calls Redis left to it. */
function countingFallback(r: SendRates): SendLimiter & { calls: number } {
  const local = createLocalSendLimiter({ rates: r })
  const fallback = { calls: 0, reserve: (id: string, maxWaitMs: number) => (fallback.calls++, local.reserve(id, maxWaitMs)) }
  return fallback
}

/** One process's limiter: its own connection, built as main.ts builds it, and its own fallback. */
async function processLimiter(server: RedisServer, prefix: string, r: SendRates, log: Logger = silentLog) {
  const config = loadConfig({ REDIS_URL: server.url, REDIS_PREFIX: prefix, REDIS_COMMAND_TIMEOUT_MS: '300' })
  const connection = new Redis(redisOptions(config.redis!, 'limiter'))
  connection.on('error', () => {}) // the limiter reports outages itself
  cleanups.push(async () => connection.disconnect())
  await once(connection, 'ready')
  const fallback = countingFallback(r)
  const limiter = createRedisSendLimiter({ connection, prefix, rates: r, fallback, log, probeEveryMs: 0 })
  return { connection, fallback, limiter }
}

function capturedLog(): { log: Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = []
  return { lines, log: pino(loggerOptions('info'), { write: (line: string) => void lines.push(JSON.parse(line)) }) }
}

describe('Redis send limiter', () => {
  it('gives two processes one budget per number', async () => {
    const server = await startRedisForTest()
    const prefix = testPrefix()
    const a = await processLimiter(server, prefix, rates(1, 3))
    const b = await processLimiter(server, prefix, rates(1, 3))

    const answers = [await a.limiter.reserve(NUMBER, 0), await b.limiter.reserve(NUMBER, 0), await a.limiter.reserve(NUMBER, 0)]
    expect(answers.map((r) => r.reserved)).toEqual([true, true, true])
    const refused = await b.limiter.reserve(NUMBER, 0)
    expect(refused.reserved).toBe(false)
    expect(refused.waitMs).toBeGreaterThan(0)
    expect(refused.waitMs).toBeLessThanOrEqual(1_000)
    // Slots queue up across the two: the next one of b is a full interval after a's.
    const fromA = await a.limiter.reserve(NUMBER, 10_000)
    const fromB = await b.limiter.reserve(NUMBER, 10_000)
    expect(fromB.waitMs - fromA.waitMs).toBeGreaterThan(900)
    expect(fromB.waitMs - fromA.waitMs).toBeLessThanOrEqual(1_000)
    expect(a.fallback.calls + b.fallback.calls).toBe(0)
  })

  it('keeps a number\'s key only until its slots have passed', async () => {
    const server = await startRedisForTest()
    const prefix = testPrefix()
    const { connection, limiter } = await processLimiter(server, prefix, rates(20, 1, { '3': 0 }))
    const key = `${prefix}:send-rate:${NUMBER}`
    await connection.config('SET', 'notify-keyspace-events', 'Ex')
    const events = new Redis(server.port, '127.0.0.1')
    cleanups.push(async () => events.disconnect())
    await events.subscribe('__keyevent@0__:expired')
    const expired = new Promise<void>((resolve) => events.on('message', (_channel, k) => k === key && resolve()))

    await limiter.reserve(NUMBER, 0)
    const ttl = await connection.pttl(key)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(50)
    await within(expired, 5_000, 'the key to expire')
    expect(await connection.exists(key)).toBe(0)

    await limiter.reserve('3', 0) // rate 0: not limited, nothing stored
    expect(await connection.keys(`${prefix}:*`)).toEqual([])
  })

  it('paces with the process\'s own limiter while Redis is down, and warns once per outage', async () => {
    const server = await startRedisForTest()
    const { log, lines } = capturedLog()
    const { connection, fallback, limiter } = await processLimiter(server, testPrefix(), rates(1, 1), log)
    await server.kill()

    expect(await limiter.reserve(NUMBER, 0)).toEqual({ reserved: true, waitMs: 0 })
    expect(await limiter.reserve(NUMBER, 0)).toMatchObject({ reserved: false }) // paced, not unlimited
    expect(await limiter.reserve(NUMBER, 0)).toMatchObject({ reserved: false })
    expect(fallback.calls).toBe(3)
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      'send limiter: Redis did not answer; each process paces its own sends until it does',
    ])

    await server.start()
    await once(connection, 'ready')
    expect(await limiter.reserve('1000000002', 0)).toEqual({ reserved: true, waitMs: 0 })
    expect(fallback.calls).toBe(3)
    expect(lines.at(-1)?.msg).toBe('send limiter: Redis answers again; sends are paced across processes')
  })

  it('falls back within the command timeout when Redis hangs', async () => {
    const server = await startRedisForTest()
    const { fallback, limiter } = await processLimiter(server, testPrefix(), rates(1, 1))
    server.pause()
    cleanups.push(async () => server.resume())
    expect(await within(limiter.reserve(NUMBER, 0), 5_000, 'a reservation from a hung Redis')).toEqual({ reserved: true, waitMs: 0 })
    expect(fallback.calls).toBe(1)
  })

  it('lets a limited client send while Redis is down', async () => {
    const server = await startRedisForTest()
    const fake = await startFakeGraph()
    cleanups.push(() => fake.close())
    const { limiter } = await processLimiter(server, testPrefix(), rates(80, 1))
    const client = withSendLimiter(createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 2_000 }), limiter, { maxWaitMs: 2_000 })
    cleanups.push(() => client.close())
    await server.kill()
    for (let i = 0; i < 3; i++) await client.sendText({ phoneNumberId: NUMBER, to: customer, text: `parte ${i}` })
    expect(await fake.waitForSends(3)).toHaveLength(3)
  })

  it('keeps two processes sending from one number within the bound at the fake Graph API', async () => {
    const [server, fake] = [await startRedisForTest(), await startFakeGraph()]
    cleanups.push(() => fake.close())
    const prefix = testPrefix()
    // 5/s with a burst of 2: 12 sends take 2 s; see send-limiter.pacing.test.ts for the +1.
    const [RATE, BURST, SENDS] = [5, 2, 12]
    const clients = await Promise.all([0, 1].map(async () => {
      const { limiter } = await processLimiter(server, prefix, rates(RATE, BURST))
      const cloud = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 5_000 })
      cleanups.push(() => cloud.close())
      return withSendLimiter(cloud, limiter, { maxWaitMs: 10_000 })
    }))
    await Promise.all(Array.from({ length: SENDS }, (_, i) => clients[i % 2]!.sendText({ phoneNumberId: NUMBER, to: customer, text: `parte ${i}` })))
    const received = fake.requests.filter((r) => senderOf(r) === NUMBER)
    expect(received).toHaveLength(SENDS)
    expect(busiestSecond(received)).toBeLessThanOrEqual(RATE + BURST - 1 + 1)
  })
})
