import type { Logger } from 'pino'
import type { DebounceSettings } from '../domain/index.js'
import { DatabaseUnavailableError } from '../errors.js'
import type { Dispatcher } from '../dispatch/port.js'
import { commitInboxGroup, markEnqueued, type Db, type InboxBatch, type InboxCommitResult } from '../store/index.js'
import { decodeWebhookBody, parseWebhook } from '../whatsapp/index.js'
import { createCoalescer } from './coalesce.js'
import { toInboxBatch } from './to-rows.js'

export interface IngestDeps {
  db: Db
  dispatcher: Dispatcher
  log: Logger
  debounce: DebounceSettings
  /** Longest the inbox commit may take before the webhook answers 503. */
  commitTimeoutMs: number
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

  return {
    async accept(rawBody) {
      const decoded = decodeWebhookBody(rawBody)
      const parsed = parseWebhook(decoded.value)
      const batch = toInboxBatch(parsed, { raw: rawBody, cut: decoded.cut })
      if (batch.quarantine.length > 0) {
        // An alert event: Meta sent something signed that we could not read; it is kept raw.
        log.error({ event: 'webhook_quarantined', parts: batch.quarantine.length, reasons: batch.quarantine.map((q) => q.reason) },
          'webhook parts quarantined')
      }
      const result = await withTimeout(commit(batch), deps.commitTimeoutMs)
      if (result.accepted.length > 0) {
        // After the commit, never before; a failed or slow enqueue is the reconciler's job.
        const p = wake(result.accepted.map((a) => a.messageId))
          .catch((err) => log.warn({ err, messages: result.accepted.length }, 'wake-up enqueue failed; the reconciler will retry'))
          .finally(() => inFlight.delete(p))
        inFlight.add(p)
      }
      log.debug({ accepted: result.accepted.length, duplicates: result.duplicates, statuses: result.statuses }, 'webhook committed')
      return result
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`the database did not commit within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    return await Promise.race([work.catch((err: unknown) => {
      throw err instanceof DatabaseUnavailableError ? err : new DatabaseUnavailableError('the database refused the commit', { cause: err })
    }), timeout])
  } finally {
    clearTimeout(timer)
  }
}
