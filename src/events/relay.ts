import { createHmac, randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Secret } from '../config/index.js'
import { startPeriodic } from '../lib/index.js'
import {
  claimRelayLease, collectEvents, dueEvents, markEventDelivered, markEventFailed, purgeDeliveredEvents, releaseRelayLease,
  type Db, type OutgoingEvent,
} from '../store/index.js'

/** The header carrying `sha256=<hex HMAC-SHA256 of the raw body>`, keyed by EVENTS_WEBHOOK_SECRET. */
export const SIGNATURE_HEADER = 'x-atende-signature-256'

/** One event's POST body: exactly these fields, in this order. */
export interface EventBody {
  id: string
  type: OutgoingEvent['type']
  at: string
  conversationId: number | null
  contact: string
  data: Record<string, unknown>
}

export interface EventRelayOptions {
  db: Db
  log: Logger
  /** EVENTS_WEBHOOK_URL. */
  url: string
  /** EVENTS_WEBHOOK_SECRET. */
  secret: Secret
  /** How often a pass runs. @defaultValue 1_000 */
  intervalMs?: number
  /** How far behind its position the cursor reads again (a late commit). @defaultValue 60_000 */
  lookBackMs?: number
  /** Longest one POST may take. @defaultValue 5_000 */
  timeoutMs?: number
  /** The delivery lease; a pass stops delivering at half of it, so it never outlives it. @defaultValue 30_000 */
  leaseMs?: number
  /** First retry delay of an event, doubling, up to `maxBackoffMs`. @defaultValue 1_000 */
  backoffMs?: number
  /** @defaultValue 300_000 (5 min: a receiver down for an hour is tried a dozen times more) */
  maxBackoffMs?: number
  /** Delivered events are deleted this long after delivery. @defaultValue 86_400_000 (1 day) */
  keepDeliveredMs?: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface EventRelay {
  /** One pass: collect, then deliver what is due. Resolves to the events delivered. */
  runOnce(): Promise<number>
  close(): Promise<void>
}

/** The exact bytes POSTed for an event (a redelivery sends the same). */
export function eventBody(e: OutgoingEvent): string {
  const body: EventBody = { id: e.eventId, type: e.type, at: e.at.toISOString(), conversationId: e.conversationId, contact: e.contact, data: e.data }
  return JSON.stringify(body)
}

/** `sha256=<hex>`: what a receiver recomputes over the raw body to trust it. */
export function signEvent(raw: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw, 'utf8').digest('hex')}`
}

/**
 * Delivers the outgoing events at least once, in order per conversation: an event not
 * acknowledged with a 2xx is retried with backoff, and the conversation's later events wait
 * for it. One process delivers at a time (a lease in the database); every process collects.
 * The log names event ids and types, never their content.
 */
export function createEventRelay(options: EventRelayOptions): EventRelay {
  const log = options.log.child({ component: 'event-relay' })
  const now = options.now ?? (() => new Date())
  const owner = randomUUID()
  const leaseMs = options.leaseMs ?? 30_000
  const timeoutMs = options.timeoutMs ?? 5_000
  const backoffMs = options.backoffMs ?? 1_000
  const maxBackoffMs = options.maxBackoffMs ?? 300_000
  const stop = new AbortController()
  let closing: Promise<void> | undefined
  let receiverDown = false

  async function pass(): Promise<number> {
    await collectEvents(options.db, options.lookBackMs ?? 60_000)
    const started = now()
    if (!(await claimRelayLease(options.db, owner, started, leaseMs))) return 0
    let delivered = 0
    const blocked = new Set<number>()
    while (!stop.signal.aborted && now().getTime() - started.getTime() < leaseMs / 2) {
      const due = (await dueEvents(options.db, now(), 100)).filter((e) => e.conversationId === null || !blocked.has(e.conversationId))
      if (due.length === 0) break
      for (const e of due) {
        if (stop.signal.aborted || now().getTime() - started.getTime() >= leaseMs / 2) break
        if (await deliver(e)) {
          delivered++
        } else if (e.conversationId !== null) {
          blocked.add(e.conversationId)
        }
      }
    }
    await purgeDeliveredEvents(options.db, new Date(now().getTime() - (options.keepDeliveredMs ?? 86_400_000)), 1_000)
    return delivered
  }

  async function deliver(e: OutgoingEvent): Promise<boolean> {
    const raw = eventBody(e)
    let status: number | undefined
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'atende-events',
          [SIGNATURE_HEADER]: signEvent(raw, options.secret.reveal()),
          'x-atende-event-id': e.eventId,
          'x-atende-event-type': e.type,
        },
        body: raw,
        // Not cut short by close(): an answered POST is marked delivered, or it would be sent twice.
        signal: AbortSignal.timeout(timeoutMs),
      })
      await res.body?.cancel()
      status = res.status
    } catch (err) {
      if (!receiverDown) log.warn({ err, eventId: e.eventId }, 'event receiver unreachable; events wait and are retried')
      receiverDown = true
    }
    if (status !== undefined && status >= 200 && status < 300) {
      await markEventDelivered(options.db, e.id, now())
      if (receiverDown) log.info('event receiver answers again')
      receiverDown = false
      return true
    }
    const retryInMs = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(e.attempts, 30))
    if (status !== undefined) log.warn({ eventId: e.eventId, type: e.type, status, attempt: e.attempts + 1, retryInMs }, 'event receiver refused an event; retrying')
    await markEventFailed(options.db, e.id, new Date(now().getTime() + retryInMs))
    return false
  }

  const periodic = startPeriodic(pass, {
    intervalMs: options.intervalMs ?? 1_000,
    onError: (err) => log.warn({ err }, 'event relay pass failed; will try again'),
  })

  return {
    runOnce: periodic.runOnce,
    close: () =>
      (closing ??= (async () => {
        stop.abort()
        await periodic.stop()
        await releaseRelayLease(options.db, owner).catch((err: unknown) => log.warn({ err }, 'could not release the event relay lease; it lapses by itself'))
      })()),
  }
}
