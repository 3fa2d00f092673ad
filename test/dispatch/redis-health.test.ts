import { once } from 'node:events'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { createRedisHealth, redisOptions, type RedisHealth, type RedisHealthEvent } from '../../src/dispatch/index.js'
import { startRedisForTest, type RedisServer } from '../helpers/redis.js'
import { silentLog, within } from './helpers.js'

const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const FAILOVER_AFTER_MS = 600

/** A private Redis, the producer connection as `atende` builds it, and its health watch. */
async function watch(options: { downAtStart?: boolean } = {}) {
  const server: RedisServer = await startRedisForTest()
  if (options.downAtStart === true) await server.kill()
  const config = loadConfig({ REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '200' })
  const connection = new Redis(redisOptions(config.redis!, 'producer'))
  connection.on('error', () => {})
  // Up before the watch starts, so that it has answered once.
  if (options.downAtStart !== true) await once(connection, 'ready')
  cleanups.push(() => connection.disconnect())
  cleanups.push(() => {
    // A frozen server must answer before the connection can close.
    try { server.resume() } catch { /* not running */ }
  })
  const health: RedisHealth = createRedisHealth({ connection, failoverAfterMs: FAILOVER_AFTER_MS, probeIntervalMs: 100, log: silentLog })
  cleanups.push(() => health.close())
  const events: Array<RedisHealthEvent & { at: number }> = []
  const waiters: Array<{ state: string; resolve: () => void }> = []
  health.onChange((e) => {
    events.push({ ...e, at: performance.now() })
    for (const w of waiters.filter((x) => x.state === e.state)) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve()
    }
  })
  const next = (state: 'up' | 'down') => within(new Promise<void>((resolve) => waiters.push({ state, resolve })), 15_000, `redis ${state}`)
  return { server, health, events, next }
}

describe('redis health', () => {
  it('says down once after failing for REDIS_FAILOVER_AFTER_MS when Redis is killed, and up once when it is back', async () => {
    const { server, health, events, next } = await watch()
    health.start()
    const killedAt = performance.now()
    const down = next('down')
    await server.kill()
    await down
    // `atStart` says whether the first probe was answered before the kill: on a loaded machine
    // it may not be, and either way the watch says down once, after the same delay.
    expect(events[0]).toMatchObject({ state: 'down', reason: 'unreachable' })
    expect(events[0]!.at - killedAt).toBeGreaterThanOrEqual(FAILOVER_AFTER_MS - 50)
    const up = next('up')
    await server.start()
    await up
    expect(events.map((e) => e.state)).toEqual(['down', 'up'])
  }, 30_000)

  it('counts the connection made ready as an answer: Redis lost before the first probe is not "at start"', async () => {
    const server: RedisServer = await startRedisForTest()
    const config = loadConfig({ REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '200' })
    const connection = new Redis({ ...redisOptions(config.redis!, 'producer'), lazyConnect: true })
    connection.on('error', () => {})
    cleanups.push(() => connection.disconnect())
    // Probes far apart: the only answer before the kill is the connection's ready check.
    const health = createRedisHealth({ connection, failoverAfterMs: FAILOVER_AFTER_MS, probeIntervalMs: 150, log: silentLog })
    cleanups.push(() => health.close())
    const events: RedisHealthEvent[] = []
    health.onChange((e) => events.push(e))
    const ready = once(connection, 'ready')
    // Its first probe opens the lazy connection, and fails: the connection is not ready yet.
    health.start()
    await ready
    const down = new Promise<void>((resolve) => health.onChange((e) => e.state === 'down' && resolve()))
    await server.kill()
    await within(down, 15_000, 'redis down')
    expect(events[0]).toMatchObject({ state: 'down', reason: 'unreachable', atStart: false })
  })

  it('says hung when Redis keeps its sockets and answers nothing (SIGSTOP), and up when it thaws', async () => {
    const { server, health, events, next } = await watch()
    health.start()
    const down = next('down')
    server.pause()
    await down
    expect(events[0]).toMatchObject({ state: 'down', reason: 'hung' })
    const up = next('up')
    server.resume()
    await up
    expect(events.map((e) => e.state)).toEqual(['down', 'up'])
  }, 30_000)

  it('counts a blip shorter than REDIS_FAILOVER_AFTER_MS as nothing', async () => {
    const { server, health, events } = await watch()
    health.start()
    server.pause()
    await new Promise((r) => setTimeout(r, FAILOVER_AFTER_MS / 3))
    server.resume()
    // Long enough for the watch to have said down had the blip counted.
    await new Promise((r) => setTimeout(r, FAILOVER_AFTER_MS * 2))
    expect(events).toEqual([])
    expect(health.state).toBe('up')
  }, 30_000)

  it('says down, at start, after REDIS_FAILOVER_AFTER_MS when Redis has not answered since the watch began', async () => {
    const { server, health, events, next } = await watch({ downAtStart: true })
    const startedAt = performance.now()
    const down = next('down')
    health.start()
    await down
    expect(events[0]).toMatchObject({ state: 'down', reason: 'unreachable', atStart: true })
    expect(events[0]!.at - startedAt).toBeGreaterThanOrEqual(FAILOVER_AFTER_MS - 50)
    const up = next('up')
    await server.start()
    await up
  }, 30_000)
})
