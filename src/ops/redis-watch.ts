import type { Alerts } from './alerts.js'

export interface RedisWatchOptions {
  /** Whether the runtime's Redis connection is up (`QueueInspector.connected`). */
  connected(): boolean
  alerts: Alerts
  /** How often the connection's state is read (a field, no round trip). @defaultValue 1_000 */
  intervalMs?: number
}

export interface RedisWatch {
  /** Reads the state once (tests; the timer does it otherwise). */
  check(): void
  close(): Promise<void>
}

/**
 * Raises `redis_lost` when the connection goes down after having been up, and `redis_back`
 * when it returns: two rules, so one never suppresses the other. The Redis-outage work's
 * runtime switch raises the same rules through `alerts.raise` when it switches.
 */
export function createRedisWatch(options: RedisWatchOptions): RedisWatch {
  let state: 'unknown' | 'up' | 'down' = 'unknown'
  let downSince = 0
  const check = () => {
    const up = options.connected()
    if (up && state === 'down') {
      options.alerts.raise('redis_back', { details: { downSeconds: Math.round((Date.now() - downSince) / 1000) } })
    } else if (!up && state === 'up') {
      downSince = Date.now()
      options.alerts.raise('redis_lost')
    }
    // Before the first connection nothing is lost: the connection is still being made.
    if (up) state = 'up'
    else if (state === 'up') state = 'down'
  }
  const timer = setInterval(check, options.intervalMs ?? 1_000)
  timer.unref()
  return {
    check,
    close: async () => clearInterval(timer),
  }
}
