import { isIP } from 'node:net'
import type { Env } from './schema.js'
import { maybeSecret, secret } from './secret.js'
import type { RedisConfig } from './types.js'

/** REDIS_URL, or the original's UPSTASH_REDIS_*; undefined when neither is set. */
export function redisConfig(e: Env): RedisConfig | undefined {
  const common = {
    prefix: e.REDIS_PREFIX,
    commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    failoverAfterMs: e.REDIS_FAILOVER_AFTER_MS,
    failoverPollMs: e.REDIS_FAILOVER_POLL_MS,
  }
  if (e.REDIS_URL !== undefined) {
    const u = new URL(e.REDIS_URL)
    const password = u.password === '' ? undefined : secret(decodeURIComponent(u.password))
    u.password = ''
    return { url: u.toString(), password, tls: u.protocol === 'rediss:', ...common }
  }
  if (e.UPSTASH_REDIS_HOST !== undefined) {
    // The original turned certificate verification off; we keep TLS and keep verification on.
    // The original took a bare host; an IPv6 address needs brackets inside a URL.
    const host = isIP(e.UPSTASH_REDIS_HOST) === 6 ? `[${e.UPSTASH_REDIS_HOST}]` : e.UPSTASH_REDIS_HOST
    return {
      url: `rediss://${host}:${e.UPSTASH_REDIS_PORT}`,
      password: maybeSecret(e.UPSTASH_REDIS_PASSWORD),
      tls: true,
      ...common,
    }
  }
  return undefined
}
