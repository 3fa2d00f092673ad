/**
 * How a Redis URL becomes ioredis options (issue #8, finding 8): an IPv6 host loses the
 * brackets URLs need and ioredis does not take, over plain TCP and TLS, from REDIS_URL and
 * from the original's UPSTASH_REDIS_HOST.
 */
import { once } from 'node:events'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { redisOptions } from '../../src/dispatch/index.js'
import { startRedis, type RedisServer } from '../helpers/redis.js'

/** Whether this machine can listen on ::1 (IPv6 may be off in a container). */
async function hasIpv6Loopback(): Promise<boolean> {
  const server = createServer()
  const ok = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(0, '::1', () => resolve(true))
  })
  if (ok) {
    server.close()
    await once(server, 'close')
  }
  return ok
}

describe('redis options for an IPv6 host', () => {
  it('gives ioredis the address without brackets', () => {
    const options = redisOptions(loadConfig({ REDIS_URL: 'redis://:s3cret@[::1]:6390/2' }).redis!, 'producer')
    expect(options).toMatchObject({ host: '::1', port: 6390, db: 2, password: 's3cret' })
  })

  it('sends no SNI name for an IPv6 address over TLS (SNI takes host names only)', () => {
    const options = redisOptions(loadConfig({ REDIS_URL: 'rediss://[2001:db8::7]:6380' }).redis!, 'worker')
    expect(options).toMatchObject({ host: '2001:db8::7', tls: {} })
    expect(options.tls).not.toHaveProperty('servername')
  })

  it('takes an IPv6 UPSTASH_REDIS_HOST, written without brackets as the original did', () => {
    const config = loadConfig({ UPSTASH_REDIS_HOST: '2001:db8::7', UPSTASH_REDIS_PORT: '6380' })
    expect(redisOptions(config.redis!, 'producer')).toMatchObject({ host: '2001:db8::7', port: 6380, tls: {} })
  })

  it('keeps host names and IPv4 addresses as they are', () => {
    expect(redisOptions(loadConfig({ REDIS_URL: 'rediss://redis.example:6380' }).redis!, 'producer')).toMatchObject({
      host: 'redis.example', tls: { servername: 'redis.example' },
    })
    expect(redisOptions(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis!, 'producer').host).toBe('127.0.0.1')
  })
})

describe('a redis-server listening on ::1 only', async () => {
  const ipv6 = await hasIpv6Loopback()
  let redis: RedisServer | undefined
  beforeAll(async () => {
    if (ipv6) redis = await startRedis({ bind: '::1' })
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it.skipIf(!ipv6)('is reached with the options Atende builds from redis://[::1]:port', async () => {
    expect(redis!.url).toMatch(/^redis:\/\/\[::1\]:\d+$/)
    const client = new Redis({ ...redisOptions(loadConfig({ REDIS_URL: redis!.url }).redis!, 'producer'), retryStrategy: () => null, lazyConnect: true })
    const errors: Error[] = []
    client.on('error', (err: Error) => errors.push(err))
    try {
      await client.connect()
      expect(await client.ping()).toBe('PONG')
      expect(errors).toEqual([])
    } finally {
      client.disconnect()
    }
  })
})
