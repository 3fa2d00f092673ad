import { setImmediate as nextMacrotask } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { DebounceSettings } from '../domain/index.js'
import { DatabaseUnavailableError } from '../errors.js'
import { createCoalescer, withTimeout } from '../lib/index.js'
import type { Dispatcher } from '../queues/index.js'
import { commitInboxGroup, markEnqueued, type Db, type InboxBatch, type InboxCommitResult } from '../store/index.js'
import { decodeWebhookBody, parseWebhookInSteps, type ParsedWebhook } from '../whatsapp/index.js'
import { boundedReason, chunkBatch, MAX_QUARANTINE_ROWS, toInboxBatch } from './to-rows.js'

/** Reasons one `webhook parts quarantined` line lists, and the length of each. */
const MAX_LOGGED_REASONS = 10
const MAX_LOGGED_REASON_CHARS = 200

export interface IngestDeps {
  db: Db
  dispatcher: Dispatcher
  log: Logger
  debounce: DebounceSettings
  /** Longest one commit of the inbox may take before the webhook answers 503. */
  commitTimeoutMs: number
  /**
   * Rows (messages, statuses, quarantine) per commit. A larger delivery is committed in
   * several, pausing between them, so a delivery that arrives meanwhile is not held behind
   * it; the 200 still waits for the last. @defaultValue 500
   */
  maxRowsPerCommit?: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface Ingest {
  /**
   * Parses a verified webhook body and commits it. Resolves once everything is durable: the
   * caller may answer 200 then. Wake-ups go out afterwards, on their own.
   */
  accept(rawBody: Buffer): Promise<InboxCommitResult>
  /** Resolves when every wake-up started so far has settled (for tests and shutdown). */
  idle(): Promise<void>
}

export function createIngest(deps: IngestDeps): Ingest {
  const now = deps.now ?? (() => new Date())
  const log = deps.log.child({ component: 'ingest' })
  const inFlight = new Set<Promise<void>>()

  // Concurrent requests share one commit, and their wake-ups one enqueue (group commit).
  const commit = createCoalescer<InboxBatch, InboxCommitResult>({
    flush: async (batches) =>
      (await commitInboxGroup(deps.db, batches, now(), deps.debounce)).map((o) =>
        o.ok ? { ok: true, value: o.result } : { ok: false, error: o.error },
      ),
  })
  const wake = createCoalescer<number[], void>({
    flush: async (groups) => {
      const ids = groups.flat()
      await deps.dispatcher.dispatch(ids.map((messageId) => ({ queue: 'message-processing' as const, messageId })))
      await markEnqueued(deps.db, ids, now())
      return groups.map(() => ({ ok: true, value: undefined }))
    },
  })

  /** After the commit, never before; a failed or slow enqueue is the reconciler's job. */
  function wakeAfterCommit(messageIds: number[]): void {
    const p = wake(messageIds)
      .catch((err) => log.warn({ err, messages: messageIds.length }, 'wake-up enqueue failed; the reconciler will retry'))
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }

  /** An alert event: Meta sent something signed that we could not read; it is kept raw. Bounded whatever the delivery holds. */
  function logQuarantined(parsed: ParsedWebhook, cutInBody: number, rows: number): void {
    log.error(
      {
        event: 'webhook_quarantined',
        parts: parsed.unparsedCount,
        cutValues: cutInBody + parsed.cutValues,
        rows,
        reasons: parsed.unparsed.slice(0, MAX_LOGGED_REASONS).map((u) => boundedReason(u.reason, MAX_LOGGED_REASON_CHARS)),
      },
      'webhook parts quarantined',
    )
  }

  return {
    async accept(rawBody) {
      const decoded = decodeWebhookBody(rawBody)
      const parsed = await inSteps(parseWebhookInSteps(decoded.value, { keepUnparsed: MAX_QUARANTINE_ROWS }))
      const batch = toInboxBatch(parsed, { raw: rawBody, cut: decoded.cut })
      if (batch.quarantine.length > 0) logQuarantined(parsed, decoded.cut, batch.quarantine.length)
      const total: InboxCommitResult = { accepted: [], duplicates: 0, statuses: 0, quarantined: 0 }
      try {
        for (const [i, chunk] of chunkBatch(batch, deps.maxRowsPerCommit ?? 500).entries()) {
          // A macrotask between commits: PGlite answers on the same thread, so without it no
          // other request's bytes would even be read until the last commit.
          if (i > 0) await nextMacrotask()
          const result = await commitWithin(commit(chunk), deps.commitTimeoutMs)
          total.accepted.push(...result.accepted)
          total.duplicates += result.duplicates
          total.statuses += result.statuses
          total.quarantined += result.quarantined
        }
      } finally {
        // Woken once the delivery is through (its own workers would otherwise compete with
        // its next chunks for PGlite), and also when a later chunk failed: what is
        // committed is woken, since Meta's redelivery will find it a duplicate.
        if (total.accepted.length > 0) wakeAfterCommit(total.accepted.map((a) => a.messageId))
      }
      log.debug({ accepted: total.accepted.length, duplicates: total.duplicates, statuses: total.statuses }, 'webhook committed')
      return total
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
}

/** Runs a stepwise computation, letting the event loop serve others between its steps. */
async function inSteps<T>(steps: Generator<void, T, void>): Promise<T> {
  for (;;) {
    const next = steps.next()
    if (next.done === true) return next.value
    await nextMacrotask()
  }
}

function commitWithin<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  const refused = work.catch((err: unknown) => {
    throw err instanceof DatabaseUnavailableError ? err : new DatabaseUnavailableError('the database refused the commit', { cause: err })
  })
  return withTimeout(refused, timeoutMs, () => new DatabaseUnavailableError(`the database did not commit within ${timeoutMs} ms`))
}
