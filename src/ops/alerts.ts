import type { Logger } from 'pino'
import { createAlertKeeper, type AlertKeeper, type StoreAlerts } from './alert-store.js'

/**
 * Every alert rule (issue #11). A rule names a condition, never a person: subjects are queue
 * names, error codes or row ids, and details carry counts and codes only.
 */
export const ALERT_RULES = {
  redis_lost: { severity: 'critical', text: 'Redis is unreachable: the in-process runtime serves work from the database' },
  redis_back: { severity: 'warning', text: 'Redis is reachable again: work is back on the queues' },
  job_failed: { severity: 'critical', text: 'A job failed after its last attempt' },
  queue_backlog: { severity: 'warning', text: 'A queue has a backlog' },
  quarantine: { severity: 'warning', text: 'A signed webhook payload could not be parsed and was quarantined' },
  nps_detractor: { severity: 'warning', text: 'A customer answered the NPS survey as a detractor' },
  handoff_waiting: { severity: 'warning', text: 'A conversation handed to a person is still waiting' },
  meta_rate_limit: { severity: 'warning', text: 'Meta rate-limited our sends' },
  meta_quality: { severity: 'critical', text: 'Meta refused a send for the number\'s quality or account state' },
  webhook_5xx: { severity: 'critical', text: 'The WhatsApp webhook answered 5xx (Meta retries it)' },
} as const satisfies Record<string, { severity: AlertSeverity; text: string }>

export type AlertRule = keyof typeof ALERT_RULES
export type AlertSeverity = 'warning' | 'critical'
/** Numbers, flags, codes and ids: never a phone number, a name or a message. */
export type AlertDetails = Record<string, string | number | boolean | null>

export interface RaiseOptions {
  /**
   * What the condition is about (a queue name, an error code, a conversation id): the
   * cool-down is per rule and subject. @defaultValue '-' (one cool-down for the rule)
   */
  subject?: string
  details?: AlertDetails
}

/** The POST body: Slack's `text`, plus fields for anything that reads JSON. */
export interface AlertBody {
  text: string
  alert: AlertRule
  severity: AlertSeverity
  at: string
  details: AlertDetails
}

export interface Alerts {
  /**
   * Logs the alert and queues its database row and its POST, unless the same rule and subject
   * fired within the cool-down. Never throws and never waits: the pipeline goes on whatever
   * the receiver or the database does. Returns whether the alert fired.
   */
  raise(rule: AlertRule, options?: RaiseOptions): boolean
  /** Resolves once every queued row and POST was stored, delivered or given up (tests, shutdown). */
  drained(): Promise<void>
  /**
   * Stops retrying POSTs (alerts still queued are logged as dropped) and stores the rows
   * still queued, then stops. Idempotent.
   */
  close(): Promise<void>
}

export interface AlertsOptions {
  log: Logger
  /** ALERT_WEBHOOK_URL; undefined: alerts are logged only. */
  webhookUrl: string | undefined
  /** ALERT_COOLDOWN_MS. */
  cooldownMs: number
  /**
   * Keeps each alert that fires (the `alerts` table behind `GET /api/alerts`), in the
   * background and bounded like the POSTs; undefined: alerts are not kept.
   */
  store?: StoreAlerts | undefined
  /** Tries per POST, the first included. @defaultValue 5 */
  attempts?: number
  /** First retry delay, doubling each try. @defaultValue 1_000 */
  backoffMs?: number
  /** Longest one POST may take. @defaultValue 5_000 */
  timeoutMs?: number
  /**
   * Alerts waiting to be POSTed, and alerts waiting to be stored, beyond which the oldest are
   * dropped (a dead receiver or database must not grow memory). @defaultValue 100
   */
  maxQueued?: number
  /** @defaultValue Date.now */
  now?: () => number
}

/**
 * Alerts to the log (`event: "alert"`) and, when configured, to the database and a webhook.
 * POSTs go one at a time in the order raised, each retried with backoff; a receiver that
 * stays down loses only what did not fit in the bounded queue, and each loss is logged. Rows
 * are written by a background writer of their own (src/ops/alert-store.ts), never retried:
 * a database that refuses them loses the rows, logged, not the alert.
 */
export function createAlerts(options: AlertsOptions): Alerts {
  const log = options.log.child({ component: 'alerts' })
  const now = options.now ?? Date.now
  const attempts = options.attempts ?? 5
  const backoffMs = options.backoffMs ?? 1_000
  const timeoutMs = options.timeoutMs ?? 5_000
  const maxQueued = options.maxQueued ?? 100
  const lastFired = new Map<string, number>()
  const queue: AlertBody[] = []
  const stop = new AbortController()
  const keeper: AlertKeeper | undefined = options.store === undefined ? undefined : createAlertKeeper({ log, store: options.store, maxQueued })
  let sending: Promise<void> | undefined
  let closing: Promise<void> | undefined

  function raise(rule: AlertRule, raiseOptions: RaiseOptions = {}): boolean {
    const subject = raiseOptions.subject ?? '-'
    const key = `${rule}\u0000${subject}`
    const at = now()
    const last = lastFired.get(key)
    if (closing !== undefined || (last !== undefined && at - last < options.cooldownMs)) return false
    lastFired.set(key, at)
    const { severity, text } = ALERT_RULES[rule]
    const details = { subject, ...raiseOptions.details }
    log[severity === 'critical' ? 'error' : 'warn']({ event: 'alert', alert: rule, severity, details }, text)
    keeper?.keep({ rule, severity, subject, details: { ...raiseOptions.details }, at: new Date(at) })
    if (options.webhookUrl === undefined) return true
    if (queue.length >= maxQueued) {
      const dropped = queue.shift()!
      log.warn({ alert: dropped.alert, queued: maxQueued }, 'alert webhook: queue full, oldest alert dropped')
    }
    queue.push({ text: subject === '-' ? text : `${text} (${subject})`, alert: rule, severity, at: new Date(at).toISOString(), details })
    sending ??= sendAll(options.webhookUrl).finally(() => (sending = undefined))
    return true
  }

  async function sendAll(url: string): Promise<void> {
    while (queue.length > 0 && !stop.signal.aborted) {
      const body = queue[0]!
      const delivered = await post(url, body)
      // A close() in the middle leaves the alert queued, for close() to report.
      if (stop.signal.aborted) return
      queue.shift()
      if (!delivered) log.warn({ alert: body.alert, attempts }, 'alert webhook: gave up after every attempt')
    }
  }

  async function post(url: string, body: AlertBody): Promise<boolean> {
    const raw = JSON.stringify(body)
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: raw,
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
        })
        await res.body?.cancel()
        if (res.ok) return true
        log.debug({ alert: body.alert, status: res.status, attempt }, 'alert webhook refused the alert')
      } catch (err) {
        if (stop.signal.aborted) return false
        log.debug({ err, alert: body.alert, attempt }, 'alert webhook unreachable')
      }
      if (attempt < attempts && !(await pause(backoffMs * 2 ** (attempt - 1), stop.signal))) return false
    }
    return false
  }

  return {
    raise,
    drained: async () => {
      while (sending !== undefined) await sending
      await keeper?.drained()
    },
    close: () =>
      (closing ??= (async () => {
        stop.abort()
        await Promise.all([sending, keeper?.close()])
        if (queue.length > 0) log.warn({ dropped: queue.length, alerts: queue.map((a) => a.alert) }, 'alert webhook: alerts not delivered before shutdown')
        queue.length = 0
      })()),
  }
}

/** Waits `ms`; false when `signal` aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
