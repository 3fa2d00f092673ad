import type { FastifyBaseLogger } from 'fastify'
import { conversationsChangedSince, type Db } from '../../store/index.js'

export interface ChangeFeedOptions {
  db: Db
  /** How often the database is asked while anyone listens. @defaultValue 500 */
  intervalMs?: number
  log: FastifyBaseLogger
}

export type ChangeListener = (conversationIds: readonly number[]) => void

export interface ChangeFeed {
  /** Calls `listener` with the ids of conversations that changed; returns the unsubscribe. */
  subscribe(listener: ChangeListener): () => void
  close(): void
}

/**
 * How far back each poll looks. A transaction that commits after a later one (its rows carry
 * the earlier `updated_at`) is still seen, as long as it commits within this margin.
 */
const LOOK_BACK_MS = 5_000

/**
 * Conversations that changed, read from the database — so it sees the work of every process
 * (an `api` beside `worker`s), not only this one's. One poll per process, however many
 * listeners, and none while nobody listens. A change is reported once: each conversation's
 * newest `updated_at` seen is remembered for the look-back window.
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const intervalMs = options.intervalMs ?? 500
  const listeners = new Set<ChangeListener>()
  const seen = new Map<number, number>()
  let since: Date | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false

  async function poll(): Promise<void> {
    const from = since ?? new Date(Date.now() - LOOK_BACK_MS)
    const { changes, now } = await conversationsChangedSince(options.db, from)
    const changed: number[] = []
    for (const c of changes) {
      const at = c.updatedAt.getTime()
      if ((seen.get(c.conversationId) ?? -Infinity) >= at) continue
      seen.set(c.conversationId, at)
      changed.push(c.conversationId)
    }
    since = new Date(now.getTime() - LOOK_BACK_MS)
    for (const [id, at] of seen) if (at < since.getTime()) seen.delete(id)
    if (changed.length > 0) for (const listener of listeners) listener(changed)
  }

  function schedule(): void {
    if (closed || listeners.size === 0 || timer !== undefined) return
    timer = setTimeout(() => {
      void poll()
        // A failed poll (database briefly away) is tried again at the next tick; nothing is lost,
        // since `since` only moves forward after a poll that answered.
        .catch((err: unknown) => options.log.warn({ err }, 'dashboard change feed poll failed'))
        .finally(() => {
          timer = undefined
          schedule()
        })
    }, intervalMs)
  }

  return {
    subscribe(listener) {
      listeners.add(listener)
      schedule()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) {
          clearTimeout(timer)
          timer = undefined
          // The next listener starts from its own present: nothing is replayed to it.
          since = undefined
          seen.clear()
        }
      }
    },
    close() {
      closed = true
      clearTimeout(timer)
      listeners.clear()
    },
  }
}
