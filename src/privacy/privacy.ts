import type { Logger } from 'pino'
import type { Dispatcher } from '../queues/index.js'
import { isAtendeError, NotFoundError } from '../errors.js'
import { eraseCustomer, exportCustomer, type CustomerId, type Db } from '../store/index.js'
import { formatCustomerId } from './customer-id.js'

/**
 * Customer data kept outside the database. There is none today: pictures are downloaded,
 * read in memory and dropped (only their analysis is stored, on the message), and no learning
 * material is kept. A store that holds some later (media files, learning material elsewhere)
 * implements this and is handed to {@link createPrivacy}: export and erase then cover it.
 * Data kept in a database table joins as a section of `store/customer-data.ts` instead.
 */
export interface CustomerDataStore {
  /** Its name in the export's sections and the erase's `removed` counts. */
  name: string
  /** What it holds about these rows of the customer. */
  export(rows: CustomerRows): Promise<unknown[]>
  /** Deletes it; resolves to how many items went. */
  erase(rows: CustomerRows): Promise<number>
}

/** The customer's rows, as other stores refer to them. */
export interface CustomerRows {
  conversationIds: readonly number[]
  messageIds: readonly number[]
}

export interface CustomerDataExport {
  /** The id asked for, as written (`5511…` or `bsuid:…`). */
  customer: string
  /** When the export was read (ISO 8601). */
  exportedAt: string
  /** One section per table (or store), always all of them, in a fixed order. */
  sections: Array<{ table: string; rows: unknown[] }>
  /** What is not in the sections, and why; constant texts. */
  notes: string[]
}

export interface EraseReport {
  /** Rows removed per table (and items per store), zeros included. */
  removed: Record<string, number>
  /** Hashes of their wamids kept 7 days, so that Meta's redeliveries are not stored again. */
  erasedWamids: number
  /**
   * Queue jobs of their rows removed. `removed: null` when the queue runtime (Redis) could not
   * be reached: the database erase stands, and a leftover job finds no row and does nothing.
   */
  queueJobs: { removed: number } | { removed: null; error: string }
}

export interface Privacy {
  /** Everything held about the customer. {@link NotFoundError} when none is. */
  exportCustomer(customer: CustomerId): Promise<CustomerDataExport>
  /** Erases the customer everywhere. {@link NotFoundError} when none is held. */
  eraseCustomer(customer: CustomerId): Promise<EraseReport>
}

export interface PrivacyDeps {
  db: Db
  /** Where their queue jobs are removed. */
  dispatcher: Dispatcher
  log: Logger
  /** Stores outside the database. @defaultValue [] (none exists today) */
  stores?: readonly CustomerDataStore[]
  /** @defaultValue () => new Date() */
  now?: () => Date
}

const NOTES = [
  'Pictures are not stored: they are downloaded from WhatsApp, read and dropped; what was read is the analysis column of their message.',
  'No learning material is kept.',
  'Messages of other customers are not searched for mentions of this one.',
]

const notFound = () => new NotFoundError('no customer data is held under this id (never seen, or erased)')

/** Export and erase of one customer's data (LGPD art. 18): database, queue jobs, other stores. */
export function createPrivacy(deps: PrivacyDeps): Privacy {
  const log = deps.log.child({ component: 'privacy' })
  const now = deps.now ?? (() => new Date())
  const stores = deps.stores ?? []

  return {
    async exportCustomer(customer) {
      const data = await exportCustomer(deps.db, customer)
      if (data === undefined) throw notFound()
      const sections = [...data.sections]
      if (stores.length > 0) {
        const rows = rowsOf(data.sections)
        for (const s of stores) sections.push({ table: s.name, rows: await s.export(rows) })
      }
      // Counts only: which tables, not what they hold.
      log.info({ tables: tableCounts(sections.map((s) => [s.table, s.rows.length])) }, 'customer data exported')
      // The HTTP route and `atende privacy export` answer the same document (docs/privacy.md).
      return { customer: formatCustomerId(customer), exportedAt: now().toISOString(), sections, notes: NOTES }
    },

    async eraseCustomer(customer) {
      const erased = await eraseCustomer(deps.db, customer, now())
      if (erased === undefined) throw notFound()
      const rows = { conversationIds: erased.conversationIds, messageIds: erased.messageIds }
      const removed = { ...erased.removed }
      for (const s of stores) removed[s.name] = await s.erase(rows)
      let queueJobs: EraseReport['queueJobs']
      try {
        queueJobs = { removed: await deps.dispatcher.forget(rows) }
      } catch (err) {
        // The database is the truth and is erased; a job left in Redis carries ids only and
        // finds no row when it runs. Said in the answer, so the operator can try again.
        log.warn({ err }, 'could not remove the erased customer\'s queue jobs; any left behind will find no row and do nothing')
        queueJobs = { removed: null, error: isAtendeError(err) ? err.code : 'ATD_QUEUE_UNAVAILABLE' }
      }
      log.info({ tables: tableCounts(Object.entries(removed)), erasedWamids: erased.erasedWamids, queueJobsRemoved: queueJobs.removed }, 'customer data erased')
      return { removed, erasedWamids: erased.erasedWamids, queueJobs }
    },
  }
}

/** The conversation and message ids in an export's sections. */
function rowsOf(sections: ReadonlyArray<{ table: string; rows: unknown[] }>): CustomerRows {
  const ids = (table: string) =>
    (sections.find((s) => s.table === table)?.rows ?? []).map((r) => Number((r as { id: unknown }).id))
  return { conversationIds: ids('conversations'), messageIds: ids('messages') }
}

/**
 * Row counts per table for a log line, as `{ table, rows }` items: keyed by table name, the
 * `contacts` count would meet the logger's redaction of a `contacts` field and read
 * "[redacted]".
 */
function tableCounts(counts: Iterable<[string, number]>): Array<{ table: string; rows: number }> {
  return [...counts].map(([table, rows]) => ({ table, rows }))
}
