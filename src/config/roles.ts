import { ConfigError } from '../errors.js'
import type { Config } from './types.js'

/** The processes Atende runs as: everything in one (`serve`), or the webhook and the workers apart. */
export type Role = 'serve' | 'api' | 'worker'

/**
 * What a role needs beyond `serve`'s embedded defaults: `api` and `worker` run beside other
 * processes, so they share work through Redis and data through PostgreSQL. Throws a
 * {@link ConfigError} naming every missing setting.
 */
export function checkRoleConfig(role: Role, config: Config): void {
  if (role === 'serve') return
  const problems: string[] = []
  if (config.redis === undefined) problems.push(`REDIS_URL: 'atende ${role}' shares work through Redis; set REDIS_URL (or UPSTASH_REDIS_HOST), or run 'atende serve'`)
  if (config.database.url === undefined) problems.push(`DATABASE_URL: 'atende ${role}' runs beside other processes, and only one process can open a PGlite directory; set DATABASE_URL`)
  if (problems.length > 0) throw new ConfigError(problems)
}
