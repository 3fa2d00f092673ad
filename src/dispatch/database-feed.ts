import type { Logger } from 'pino'
import { findDueWork, type Db } from '../store/index.js'
import { jobKey, type Dispatcher, type WakeUp } from '../queues/index.js'

/** The job keys of a message's two jobs are these prefixes and its id (the queue contract's `jobKey`). */
const KEY_PREFIXES = {
  processing: keyPrefix({ queue: 'message-processing', messageId: 0 }),
  analysis: keyPrefix({ queue: 'image-analysis', messageId: 0 }),
}

function keyPrefix(w: WakeUp & { messageId: 0 }): string {
  const key = jobKey(w)
  if (!key.endsWith('0')) throw new Error(`job key '${key}' does not end with the message id`)
  return key.slice(0, -1)
}

export interface DatabaseFeedOptions {
  db: Db
  /** The in-process runtime this process serves with while Redis is out. */
  runtime: Pick<Dispatcher, 'dispatch'>
  /** How often to look (REDIS_FAILOVER_POLL_MS). */
  intervalMs: number
  log: Logger
  /** Most rows of each kind per look. @defaultValue 200 */
  batchSize?: number
  /** @defaultValue () => new Date() */
  now?: () => Date
}

export interface DatabaseFeed {
  /** One look; resolves to how many wake-ups it handed over. */
  runOnce(): Promise<number>
  close(): Promise<void>
}

/**
 * While Redis is out, the database is the queue: every consuming process looks for due work
 * every `intervalMs` and hands it to its in-process runtime. Another process's `api`
 * accepted those messages and could not wake anyone; this is how they get answered. Two
 * processes may pick the same row: the work claims and the turn lease let only one run it.
 */
export function createDatabaseFeed(options: DatabaseFeedOptions): DatabaseFeed {
  const now = options.now ?? (() => new Date())
  const log = options.log.child({ component: 'database-feed' })
  const limit = options.batchSize ?? 200
  let running: Promise<number> | undefined
  let closing: Promise<void> | undefined

  async function look(): Promise<number> {
    const at = now()
    const due = await findDueWork(options.db, {
      now: at,
      horizon: new Date(at.getTime() + options.intervalMs),
      limit,
      keyPrefixes: { processing: KEY_PREFIXES.processing, analysis: KEY_PREFIXES.analysis },
    })
    const wakeUps: WakeUp[] = [
      ...due.messages.map((m): WakeUp =>
        // An image waiting for its analysis: message-processing would only pass it on.
        m.awaitsAnalysis ? { queue: 'image-analysis', messageId: m.id } : { queue: 'message-processing', messageId: m.id },
      ),
      ...due.turns.map((t): WakeUp => ({ queue: 'ai-response', conversationId: t.conversationId, runAt: t.turnDueAt })),
    ]
    if (wakeUps.length > 0) await options.runtime.dispatch(wakeUps)
    log.debug({ messages: due.messages.length, turns: due.turns.length }, 'due work handed to the in-process runtime')
    return wakeUps.length
  }

  const runOnce = () => (running ??= look().finally(() => (running = undefined)))
  let timer: NodeJS.Timeout | undefined
  const lookThenWait = () => {
    if (closing !== undefined) return
    void runOnce()
      .catch((err: unknown) => log.warn({ err }, 'looking for due work failed; will look again'))
      .finally(() => {
        if (closing !== undefined) return
        timer = setTimeout(lookThenWait, options.intervalMs)
        timer.unref()
      })
  }
  // The first look at once: the messages the outage held back are waiting.
  lookThenWait()

  return {
    runOnce,
    close: () =>
      (closing ??= (async () => {
        clearTimeout(timer)
        await running?.catch(() => {})
      })()),
  }
}
