import type { Logger } from 'pino'

/** An alert as it is kept (the `alerts` table): what fired, about what, and when. */
export interface AlertRecord {
  rule: string
  severity: 'warning' | 'critical'
  /** `-` when the rule has one subject. */
  subject: string
  /** Numbers, flags, codes and ids: never a phone number, a name or a message. */
  details: Readonly<Record<string, string | number | boolean | null>>
  at: Date
}

/**
 * Keeps a batch of alerts (main.ts passes the store's `insertAlerts` over its database). It
 * may reject; it should not hang past the database's statement timeout, which bounds it.
 */
export type StoreAlerts = (batch: readonly AlertRecord[]) => Promise<void>

export interface AlertKeeperOptions {
  log: Logger
  store: StoreAlerts
  /** Alerts waiting to be stored beyond which the oldest are dropped. @defaultValue 100 */
  maxQueued: number
}

export interface AlertKeeper {
  /** Queues the record for the background writer; never throws, never waits. */
  keep(record: AlertRecord): void
  /** Resolves once everything queued was stored or dropped. */
  drained(): Promise<void>
  /** Stores what is queued (one statement), then stops. Idempotent. */
  close(): Promise<void>
}

/**
 * The background writer of alerts into the database (decisions 0019, alerts never block, and
 * 0033).
 * One write at a time, each taking every record queued so far in one statement; at most
 * `maxQueued` wait. The database is often what fails when alerts matter most: a failed write
 * drops its rows with one log line, and the alert itself was already logged and POSTed.
 */
export function createAlertKeeper(options: AlertKeeperOptions): AlertKeeper {
  const { log, store, maxQueued } = options
  const queue: AlertRecord[] = []
  let writing: Promise<void> | undefined
  let closing: Promise<void> | undefined

  async function writeAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length)
      try {
        // Through then(): a store that throws synchronously is a rejection like any other.
        await Promise.resolve().then(() => store(batch))
      } catch (err) {
        // Safe to go on: the alerts were logged when raised (and POSTed when configured).
        log.warn({ err, dropped: batch.length, alerts: batch.map((a) => a.rule) }, 'alert store: database write failed, alerts not kept')
      }
    }
  }

  return {
    keep(record) {
      if (closing !== undefined) return
      if (queue.length >= maxQueued) {
        const dropped = queue.shift()!
        log.warn({ alert: dropped.rule, queued: maxQueued }, 'alert store: queue full, oldest alert not kept')
      }
      queue.push(record)
      writing ??= writeAll().finally(() => (writing = undefined))
    },
    drained: async () => {
      while (writing !== undefined) await writing
    },
    close: () =>
      (closing ??= (async () => {
        // Nothing is added once closing, so this ends after the write in flight and at most one more.
        while (writing !== undefined) await writing
      })()),
  }
}
