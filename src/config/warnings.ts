import { isIP } from 'node:net'
import type { Config } from './types.js'

/**
 * Settings Atende runs with but an operator should know about: logged at `warn` on start and
 * listed on `/readyz`, so a monitor sees them too. Constant sentences: they name settings,
 * never their values.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = []
  if (config.whatsapp.appSecret === undefined) {
    warnings.push(
      config.whatsapp.transport === 'cloud'
        ? 'WHATSAPP_APP_SECRET is not set (WHATSAPP_ALLOW_UNSIGNED=true): webhook signatures are NOT verified; anyone can post messages that are answered on your number'
        : 'WHATSAPP_APP_SECRET is not set: webhook signatures are NOT verified; anyone can post messages (refused with WHATSAPP_TRANSPORT=cloud or NODE_ENV=production)',
    )
  }
  const redis = config.redis
  if (config.nodeEnv === 'production' && redis !== undefined && !redis.tls && redis.password !== undefined && !isLoopbackHost(new URL(redis.url).hostname)) {
    warnings.push('REDIS_URL: the Redis password crosses the network in clear text (redis:// to a host that is not this machine); use rediss:// (TLS)')
  }
  if (config.nodeEnv === 'production' && config.ops.metrics.token === undefined && config.adminListener === undefined) {
    warnings.push('METRICS_TOKEN is not set: in production /metrics answers 401 on PORT; set METRICS_TOKEN, or scrape the admin listener (ADMIN_PORT) or METRICS_PORT')
  }
  return warnings
}

/**
 * Whether `/metrics` is served without a token on the public listener (PORT): only in
 * development and tests, and only when METRICS_TOKEN is unset.
 */
export function isMetricsOpenOnPublic(config: Pick<Config, 'nodeEnv' | 'ops'>): boolean {
  return config.ops.metrics.token === undefined && config.nodeEnv !== 'production'
}

/** `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped), as a URL writes them. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (isIP(host) === 4) return host.startsWith('127.')
  // WHATWG URLs write an IPv4-mapped address in hex: ::ffff:127.0.0.1 becomes ::ffff:7f00:1.
  return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)
}
