import { isIP } from 'node:net'
import type { RedisOptions } from 'ioredis'
import type { RedisConfig } from '../config/index.js'

export type RedisRole = 'producer' | 'worker' | 'limiter'

/** While Redis refuses connections, each kind of connection error is logged at most once per this long. */
export const CONNECTION_ERROR_LOG_INTERVAL_MS = 60_000

/**
 * ioredis options for one role. Workers block on Redis and must wait out outages
 * (`maxRetriesPerRequest: null`, BullMQ's requirement). Producers sit on the webhook's
 * path: they fail fast instead — no offline queue, one retry, and a command timeout, since
 * `enableOfflineQueue: false` alone does not help when Redis hangs rather than refuses.
 * The send limiter (`limiter`) sits on every send and fails fast the same way: a send Redis
 * does not answer quickly is paced by the process's own limiter instead.
 * TLS verifies the certificate (the original turned that off).
 */
export function redisOptions(config: RedisConfig, role: RedisRole): RedisOptions {
  const u = new URL(config.url)
  // A URL writes an IPv6 address in brackets (`[::1]`); net.connect and SNI take it bare.
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  const port = u.port === '' ? 6379 : Number(u.port)
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0
  return {
    host,
    port,
    db: Number.isInteger(db) ? db : 0,
    ...(u.username !== '' ? { username: decodeURIComponent(u.username) } : {}),
    ...(config.password !== undefined ? { password: config.password.reveal() } : {}),
    // SNI takes a host name only (RFC 6066); the certificate is verified either way.
    ...(config.tls ? { tls: isIP(host) === 0 ? { servername: host } : {} } : {}),
    connectionName: `atende-${role}`,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5_000),
    ...(role === 'worker'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: config.commandTimeoutMs }),
  }
}
