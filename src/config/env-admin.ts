import { z } from 'zod'
import { optionalString } from './env-fields.js'

/** The admin API, its listener, and the dashboard's logins and simulator. */
export const adminEnv = {
  /**
   * Bearer token of the admin API; the admin API answers 401 to everything when unset. At
   * least 32 characters when NODE_ENV=production; no whitespace (a Bearer header cannot carry it).
   */
  ADMIN_TOKEN: optionalString.refine((v) => v === undefined || !/\s/.test(v), {
    message: 'must not contain whitespace: an Authorization: Bearer header cannot carry it',
  }),
  /**
   * Port of a separate listener for the admin API (`/api/*`, plus `/healthz` and `/readyz`);
   * PORT then answers 404 under `/api`. @defaultValue unset: the admin API is served on PORT
   */
  ADMIN_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(65_535).optional()),
  /** Bind address of that listener; only with ADMIN_PORT. @defaultValue '127.0.0.1' */
  ADMIN_HOST: optionalString,
  /**
   * Dashboard logins of human agents, `name:token` pairs, comma-separated
   * (`Carla:<token>,Bruno:<token>`): an agent sees the inbox only, and every action is recorded
   * under their name. Parsed in `loadConfig` (cross-checked with ADMIN_TOKEN). @defaultValue none
   */
  AGENT_TOKENS: optionalString,
  /**
   * The dashboard's simulator (`/admin/simulator`): chat as a customer on a reserved number
   * that never reaches Meta. @defaultValue true, except when NODE_ENV=production
   */
  SIMULATOR_ENABLED: optionalString.pipe(z.enum(['true', 'false']).optional()),
}
