import type { Redis } from 'ioredis'
import type { Logger } from 'pino'

/** Why Redis counts as gone: the connection is refused or lost, or it is open and commands time out. */
export type RedisDownReason = 'unreachable' | 'hung'

export type RedisHealthEvent =
  | { state: 'up' }
  /** `atStart`: Redis has not answered once since the watch started. */
  | { state: 'down'; reason: RedisDownReason; sinceMs: number; atStart: boolean }

export interface RedisHealthOptions {
  /** The producer connection: fail-fast, with a command timeout (`redisOptions(config, 'producer')`). */
  connection: Redis
  /** Failing this long, without one answer in between, is down (REDIS_FAILOVER_AFTER_MS). */
  failoverAfterMs: number
  /** Time between probes. @defaultValue failoverAfterMs / 5, between 100 and 1000 */
  probeIntervalMs?: number
  log: Logger
  /** @defaultValue Date.now */
  now?: () => number
}

export interface RedisHealth {
  /** `up` once a probe was answered; `down` after failing for `failoverAfterMs`. */
  readonly state: 'up' | 'down'
  /**
   * Starts probing. The clock runs from here until the first answer: a process started
   * while Redis is out says `down` (`atStart`) after `failoverAfterMs`, like any other; one
   * whose connection is merely slow to open (a loaded machine) never says it.
   */
  start(): void
  /** Called on every change of state, never twice for the same state. */
  onChange(listener: (event: RedisHealthEvent) => void): void
  close(): void
}

/**
 * Failed probes in a row, besides the time, before Redis counts as down. A process whose
 * event loop was held (a busy start, a long synchronous task) has run few probes in that
 * time, and must not take its own stall for an outage.
 */
const MIN_FAILED_PROBES = 3

/**
 * Watches one process's view of Redis. Connection events say when the socket is lost; they
 * cannot see a Redis that keeps its sockets open and answers nothing (SIGSTOP, a stuck
 * failover), so a PING goes out every probe interval, bounded by the producer's command
 * timeout. The state moves to `down` only after failing for `failoverAfterMs` in a row (and
 * at least three probes), so a blip shorter than that changes nothing; one answer moves it
 * back to `up`.
 */
export function createRedisHealth(options: RedisHealthOptions): RedisHealth {
  const { connection, failoverAfterMs } = options
  const now = options.now ?? Date.now
  const probeIntervalMs = options.probeIntervalMs ?? Math.min(1_000, Math.max(100, Math.floor(failoverAfterMs / 5)))
  const log = options.log.child({ component: 'redis-health' })
  const listeners: Array<(event: RedisHealthEvent) => void> = []
  let state: 'up' | 'down' = 'up'
  /** When the current run of failures began; undefined while Redis answers. */
  let failingSince: number | undefined
  let answeredOnce = false
  /** Probes failed in a row: the clock alone could be a stalled event loop, not Redis. */
  let failedProbes = 0
  let timer: NodeJS.Timeout | undefined
  let closed = false

  const emit = (event: RedisHealthEvent) => {
    for (const l of listeners) l(event)
  }

  const answered = () => {
    failingSince = undefined
    failedProbes = 0
    answeredOnce = true
    if (state === 'down') {
      state = 'up'
      emit({ state: 'up' })
    }
  }

  const failed = (reason: RedisDownReason) => {
    const at = now()
    failingSince ??= at
    failedProbes++
    if (state === 'up' && at - failingSince >= failoverAfterMs && failedProbes >= MIN_FAILED_PROBES) {
      state = 'down'
      emit({ state: 'down', reason, sinceMs: failingSince, atStart: !answeredOnce })
    }
  }

  // A lost socket starts the clock at once; the probes keep it going and decide.
  const onClose = () => {
    if (!closed) failingSince ??= now()
  }
  connection.on('close', onClose)
  // A connection made ready has had Redis answer its ready check: that counts as a probe's
  // answer. Without it, Redis lost before the first probe came (a process that starts and
  // serves within one probe interval) read as "unreachable at start".
  const onReady = () => {
    if (!closed) answered()
  }
  connection.on('ready', onReady)

  const probe = async () => {
    try {
      await connection.ping()
      answered()
    } catch (err) {
      // ioredis says "Command timed out" when the socket is open and Redis is silent.
      const hung = err instanceof Error && /timed out/i.test(err.message) && connection.status === 'ready'
      log.debug({ err, hung }, 'redis probe failed')
      failed(hung ? 'hung' : 'unreachable')
    }
  }

  const loop = () => {
    timer = setTimeout(() => {
      void probe().finally(() => {
        if (!closed) loop()
      })
    }, probeIntervalMs)
    timer.unref()
  }

  return {
    get state() {
      return state
    },
    start() {
      failingSince = now()
      if (connection.status === 'ready') answered()
      void probe().finally(() => {
        if (!closed) loop()
      })
    },
    onChange: (listener) => void listeners.push(listener),
    close() {
      closed = true
      clearTimeout(timer)
      connection.off('close', onClose)
      connection.off('ready', onReady)
    },
  }
}
