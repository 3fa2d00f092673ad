import { z } from 'zod'
import { ms, optionalString, parsed, url } from './env-fields.js'
import { parseTrustProxy } from './http.js'

/** The process and its HTTP listener. */
export const serverEnv = {
  /** `production` refuses to start without WHATSAPP_APP_SECRET, or with an ADMIN_TOKEN under 32 characters. @defaultValue 'development' */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port. @defaultValue 3000 */
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  /** HTTP bind address. @defaultValue '0.0.0.0' */
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Which proxies may name the client in `X-Forwarded-For` (Fastify's `trustProxy`); the admin
   * throttle counts failures per client. `false`: the TCP peer is the client. `true`: every
   * hop is trusted, so the client is the first entry, which a client can write itself unless
   * the proxy replaces the header. A comma-separated list of the proxies' addresses (IP,
   * IP/prefix, `loopback`, `linklocal`, `uniquelocal`): the client is the nearest hop not in
   * it. @defaultValue false
   */
  TRUST_PROXY: parsed(parseTrustProxy),
  /** pino level. @defaultValue 'info' */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}

/** PostgreSQL, or PGlite embedded. */
export const databaseEnv = {
  /** PostgreSQL URL; when unset, PGlite runs embedded under DATA_DIR. */
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  /** Where PGlite keeps its files. `memory://` keeps nothing. @defaultValue './data' */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Longest one database statement may run before the request fails with 503. @defaultValue 5_000 */
  DATABASE_STATEMENT_TIMEOUT_MS: ms(5_000).pipe(z.number().min(1)),
  /** PostgreSQL connections per process. @defaultValue 10 */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(10),
}

/** Redis for the queues; unset, the in-process runtime runs. */
export const redisEnv = {
  /** `redis://` or `rediss://` (TLS, certificate verified). When unset and no UPSTASH_* either, the in-process runtime runs. */
  REDIS_URL: url(['redis:', 'rediss:']),
  /** The original system's settings; TLS is always on for them. */
  UPSTASH_REDIS_HOST: optionalString,
  UPSTASH_REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6379),
  UPSTASH_REDIS_PASSWORD: optionalString,
  /** Key prefix of every queue. Wrap it in braces (`{atende}`) on Redis Cluster. @defaultValue 'atende' */
  REDIS_PREFIX: z.string().min(1).default('atende'),
  /** Longest a producer command (enqueue) may wait on Redis. @defaultValue 1_000 */
  REDIS_COMMAND_TIMEOUT_MS: ms(1_000).pipe(z.number().min(1)),
  /**
   * How long Redis may stay unreachable or hung (commands timing out) before this process
   * serves due work from the database with the in-process runtime. @defaultValue 5_000
   */
  REDIS_FAILOVER_AFTER_MS: ms(5_000).pipe(z.number().min(1)),
  /** While failed over, how often a consuming process looks for due work in the database. @defaultValue 500 */
  REDIS_FAILOVER_POLL_MS: ms(500).pipe(z.number().min(10)),
}
