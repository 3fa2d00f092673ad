import { randomUUID } from 'node:crypto'
import type { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config, RedisConfig } from '../config/index.js'
import { releaseAll, releaseTogether } from '../lib/index.js'
import type { Dispatcher, DispatchOptions, ForgetRows, Processors, QueueInspector, QueueName, WakeUp } from '../queues/index.js'
import { createBullmqInspector } from './bullmq-inspector.js'
import { releaseOwnerClaims, type Db } from '../store/index.js'
import { createBullmqDispatcher } from './bullmq-dispatcher.js'
import { createBullmqWorkers, type BullmqWorkers } from './bullmq-workers.js'
import { createDatabaseFeed, type DatabaseFeed } from './database-feed.js'
import { createInProcessRuntime, type InProcessRuntime } from './in-process.js'
import { createRedisHealth, type RedisHealthEvent } from './redis-health.js'
import { redisOptions } from './redis-options.js'
import { withWorkClaims } from './work-claims.js'

/** What serves this process's queues now, for `/readyz`, metrics and tests. */
export interface RuntimeStatus {
  mode: 'queues' | 'in-process'
  /** Serving from the database because Redis is configured but unreachable or hung. */
  failedOver: boolean
  /** Transitions since start (the switch at start, if Redis was down then, counts). */
  switches: number
}

/** `/readyz`'s `runtime`: `queues`, `in-process`, or `in-process (redis unreachable)` while failed over. */
export function describeRuntime(status: RuntimeStatus): string {
  return status.failedOver ? 'in-process (redis unreachable)' : status.mode
}

/** One `runtime switched` line: logged once per transition, never per message. */
export interface RuntimeSwitch {
  from: 'queues' | 'in-process'
  to: 'queues' | 'in-process'
  reason: string
}

export interface SwitchingRuntimeOptions {
  redis: RedisConfig
  queues: Config['queues']
  log: Logger
  /** Whether this process consumes (`serve`, `worker`) or only produces (`api`). */
  consume: boolean
  db: Db
  /** How long a work claim lasts if its process dies; longer than any one job. */
  workLeaseMs: number
}

export interface SwitchingRuntime {
  readonly dispatcher: Dispatcher
  /** The BullMQ queues the dispatcher produces to (the dashboard's bull-board). */
  readonly queues: readonly Queue[]
  /** What the queues hold: BullMQ's cluster-wide counts, or this process's while it serves from the database. */
  readonly inspector: QueueInspector
  /** Starts watching Redis; with no answer for REDIS_FAILOVER_AFTER_MS from here, it switches. */
  start(): Promise<void>
  startWorkers(processors: Processors): void
  status(): RuntimeStatus
  /** Called on every transition, after its log line. */
  onSwitch(listener: (s: RuntimeSwitch) => void): void
  /**
   * Called after switching back, once the in-process runtime has drained, with the time of
   * the switch: the reconciler re-dispatches what the outage left (its `catchUp`).
   */
  onSwitchedBack(listener: (since: Date) => Promise<unknown>): void
  abort(): void
  close(): Promise<void>
  /** Jobs of `queue` the in-process runtime holds while failed over; undefined on Redis. @internal tests */
  stored(queue: QueueName): number | undefined
}

/**
 * BullMQ while Redis answers; the in-process runtime over the database while it does not
 * (invariant 7, decision 0027). Redis's health is watched (`redis-health.ts`); after
 * REDIS_FAILOVER_AFTER_MS without an answer, wake-ups go to a fresh in-process runtime,
 * which a database feed fills with due work every REDIS_FAILOVER_POLL_MS (an `api` process
 * has no workers: its wake-ups are left to the workers' feeds). When Redis answers again,
 * wake-ups go to Redis at once, the in-process runtime drains (running jobs finish, nothing
 * new starts), and the reconciler re-dispatches what it left. BullMQ's workers stay
 * connected (reconnecting) throughout, and take over by themselves.
 *
 * Nothing runs twice across the switches: turns hold their lease and fencing token; the
 * other jobs claim their key in `work_claims` (`work-claims.ts`), each runtime under an
 * owner of its own, so a BullMQ job and an in-process job of one key never run together,
 * even in one process; and every processor skips a row its `processed_at` says is done.
 */
export function createSwitchingRuntime(options: SwitchingRuntimeOptions): SwitchingRuntime {
  const { redis, log, consume, db } = options
  const processId = randomUUID()
  const producer = new Redis(redisOptions(redis, 'producer'))
  // The health watch logs the outage once; every reconnect attempt would repeat it.
  producer.on('error', (err) => log.debug({ err }, 'redis producer connection error'))
  const bullmq = createBullmqDispatcher({ connection: producer, prefix: redis.prefix, queues: options.queues, log })
  const health = createRedisHealth({ connection: producer, failoverAfterMs: redis.failoverAfterMs, log })

  let mode: 'queues' | 'in-process' = 'queues'
  let switches = 0
  let processors: Processors | undefined
  let workers: BullmqWorkers | undefined
  let generation = 0
  let local: { runtime: InProcessRuntime; owner: string; feed: DatabaseFeed | undefined } | undefined
  const draining = new Set<InProcessRuntime>()
  const switchListeners: Array<(s: RuntimeSwitch) => void> = []
  const backListeners: Array<(since: Date) => Promise<unknown>> = []
  let transitions: Promise<void> = Promise.resolve()
  let closed = false

  const announce = (s: RuntimeSwitch, fields: Record<string, unknown>) => {
    switches++
    const line = { from: s.from, to: s.to, reason: s.reason, ...fields }
    if (s.to === 'in-process') log.warn(line, 'runtime switched')
    else log.info(line, 'runtime switched')
    for (const l of switchListeners) l(s)
  }

  function startLocal(): void {
    generation++
    const owner = `${processId}:in-process:${generation}`
    const runtime = createInProcessRuntime({ queues: options.queues, log })
    local = { runtime, owner, feed: undefined }
    if (processors !== undefined) serveLocally()
  }

  /** Gives the in-process runtime its processors and starts feeding it from the database. */
  function serveLocally(): void {
    if (local === undefined || processors === undefined || local.feed !== undefined) return
    local.runtime.start(withWorkClaims(processors, { db, owner: local.owner, leaseMs: options.workLeaseMs }))
    local.feed = createDatabaseFeed({ db, runtime: local.runtime, intervalMs: redis.failoverPollMs, log })
  }

  function toInProcess(reason: string, downForMs: number): void {
    if (mode === 'in-process' || closed) return
    mode = 'in-process'
    startLocal()
    announce({ from: 'queues', to: 'in-process', reason }, { downForMs })
  }

  async function toQueues(): Promise<void> {
    if (mode === 'queues' || closed) return
    const since = new Date()
    const old = local
    local = undefined
    mode = 'queues'
    announce({ from: 'in-process', to: 'queues', reason: 'redis answers again' }, {})
    if (old === undefined) return
    draining.add(old.runtime)
    try {
      await old.feed?.close()
      // Running jobs finish; waiting ones are dropped: the database still says they are due.
      await old.runtime.close()
      // Nothing of that runtime runs any more: its claims would only hold BullMQ back.
      await releaseOwnerClaims(db, old.owner)
    } finally {
      draining.delete(old.runtime)
    }
    for (const l of backListeners) await l(since)
  }

  const onHealth = (e: RedisHealthEvent) => {
    transitions = transitions
      .then(() => (e.state === 'down' ? toInProcess(`${downReason(e.reason)}${e.atStart ? ' at start' : ''}`, Date.now() - e.sinceMs) : toQueues()))
      // Redis gone again during the catch-up, or the database refusing: the rows were given
      // back, and the next switch's feed or the reconciler's next pass takes them.
      .catch((err: unknown) => log.warn({ err }, 'switching the runtime failed; the reconciler covers what was left'))
  }

  async function dispatch(wakeUps: readonly WakeUp[], opts?: DispatchOptions): Promise<void> {
    if (local === undefined) return bullmq.dispatch(wakeUps, opts)
    // An `api` process serves nothing itself: the rows are committed, and a worker's
    // database feed finds them.
    if (consume) await local.runtime.dispatch(wakeUps)
  }

  async function forget(rows: ForgetRows): Promise<number> {
    let removed = 0
    for (const r of [local?.runtime, ...draining]) if (r !== undefined) removed += await r.forget(rows)
    if (local === undefined) return removed + (await bullmq.forget(rows))
    // Redis is out: its jobs of these rows, if any are left, find the rows gone and do nothing.
    return removed + (await bullmq.forget(rows).catch((err: unknown) => {
      log.warn({ err }, 'redis is unreachable: its jobs of the erased rows stay until they run and find nothing')
      return 0
    }))
  }

  const bullmqInspector = createBullmqInspector({ queues: bullmq.queues, connection: producer, timeoutMs: redis.commandTimeoutMs })
  const inspector: QueueInspector = {
    counts: () => (local === undefined ? bullmqInspector.counts() : local.runtime.counts()),
    // Served from the database, the process's own totals are what there is (history rejects).
    history: () => (local === undefined ? bullmqInspector.history!() : Promise.reject(new Error('redis unreachable'))),
    connected: () => bullmqInspector.connected(),
  }

  return {
    queues: [...bullmq.queues.values()],
    inspector,
    dispatcher: {
      get mode() {
        return mode
      },
      dispatch,
      forget,
    },
    async start() {
      health.onChange(onHealth)
      health.start()
    },
    startWorkers(p) {
      if (!consume || processors !== undefined) return
      processors = p
      workers = createBullmqWorkers({
        connection: redisOptions(redis, 'worker'),
        prefix: redis.prefix,
        queues: options.queues,
        processors: withWorkClaims(p, { db, owner: `${processId}:queues`, leaseMs: options.workLeaseMs }),
        log,
      })
      serveLocally()
    },
    status: () => ({ mode, failedOver: mode === 'in-process', switches }),
    stored: (queue) => local?.runtime.stored(queue),
    onSwitch: (l) => void switchListeners.push(l),
    onSwitchedBack: (l) => void backListeners.push(l),
    abort() {
      workers?.abort()
      local?.runtime.abort()
      for (const r of draining) r.abort()
    },
    async close() {
      closed = true
      health.close()
      // Released last first: a switch under way, the database feed, the in-process runtime,
      // BullMQ's workers, the producer's queues, its connection. quit() needs Redis to answer;
      // when it cannot, dropping the socket is all there is to do.
      const owners = [`${processId}:queues`, ...(local === undefined ? [] : [local.owner])]
      await releaseAll([
        () => producer.quit().catch(() => producer.disconnect()),
        // Nothing of this process runs any more: its claims would only hold other processes back.
        () => Promise.all(owners.map((owner) => releaseOwnerClaims(db, owner))),
        () => bullmq.close(),
        // BullMQ's Worker.close() waits for Redis to say goodbye; while Redis is out it would
        // wait for ever. Its jobs then cannot finish into Redis anyway: stop them at once
        // (their rows are still due in the database).
        () => (mode === 'in-process' && workers !== undefined ? releaseTogether([...workers.workers.values()].map((w) => () => w.close(true))) : workers?.close()),
        () => local?.runtime.close(),
        () => local?.feed?.close(),
        () => transitions,
      ])
    },
  }
}

function downReason(reason: 'unreachable' | 'hung'): string {
  return reason === 'hung' ? 'redis hung' : 'redis unreachable'
}
