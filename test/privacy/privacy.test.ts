import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueueUnavailableError } from '../../src/errors.js'
import { createPrivacy, type CustomerDataStore, type CustomerRows } from '../../src/privacy/index.js'
import { commitInbox, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { recordingDispatcher } from '../dispatch/helpers.js'

const silent = pino({ level: 'silent' })

async function receive(database: Database, customer: string, wamid: string): Promise<void> {
  const message = {
    phoneNumberId: '1000000001', customerKey: `wa:${customer}`, waId: customer, userId: undefined, profileName: 'Cliente',
    wamid, type: 'text', text: 'oi', media: undefined, payload: undefined, sentAt: new Date(),
  }
  await commitInbox(database.db, { messages: [message], statuses: [], quarantine: [] }, new Date(), { debounceMs: 0, debounceMaxMs: 0 })
}

/** A store outside the database (media files, say): what export and erase ask of it. */
function recordingStore() {
  const calls: Array<['export' | 'erase', CustomerRows]> = []
  const store: CustomerDataStore = {
    name: 'media_files',
    async export(rows) {
      calls.push(['export', rows])
      return rows.messageIds.map((id) => ({ messageId: id, file: `media/${id}.jpg` }))
    },
    async erase(rows) {
      calls.push(['erase', rows])
      return rows.messageIds.length
    },
  }
  return { store, calls }
}

describe.each(ENGINES)('the privacy service (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  it('covers a store outside the database in export and erase, by the customer\'s rows', async () => {
    await receive(database, '5511900011001', 'wamid.SVC.1')
    const { store, calls } = recordingStore()
    const dispatcher = recordingDispatcher()
    const privacy = createPrivacy({ db: database.db, dispatcher, log: silent, stores: [store] })

    const exported = await privacy.exportCustomer({ kind: 'wa', waId: '5511900011001' })
    // The whole document, so the command line (which prints this) answers what the HTTP route does.
    expect(exported).toMatchObject({ customer: '5511900011001', exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })
    expect(exported.sections.map((s) => s.table)).toEqual([
      'contacts', 'conversations', 'messages', 'conversation_events', 'nps_surveys',
      'learning_records', 'learning_proposals', 'learning_proposal_sources', 'status_events', 'quarantine', 'outgoing_events', 'media_files',
    ])
    const idOf = (section: number) => Number((exported.sections[section]!.rows[0] as { id: number }).id)
    const messageId = idOf(2)
    const conversationId = idOf(1)
    expect(exported.sections.find((s) => s.table === 'media_files')!.rows).toEqual([{ messageId, file: `media/${messageId}.jpg` }])

    const report = await privacy.eraseCustomer({ kind: 'wa', waId: '5511900011001' })
    expect(report.removed).toMatchObject({ messages: 1, media_files: 1 })
    expect(calls.map(([kind]) => kind)).toEqual(['export', 'erase'])
    expect(calls[1]![1]).toEqual({ conversationIds: [conversationId], messageIds: [messageId] })
    expect(dispatcher.forgotten).toEqual([{ conversationIds: [conversationId], messageIds: [messageId] }])
  })

  it('erases the database and says so when the queue jobs cannot be removed', async () => {
    await receive(database, '5511900011002', 'wamid.SVC.2')
    const dispatcher = { ...recordingDispatcher(), forget: async () => Promise.reject(new QueueUnavailableError('could not remove jobs from Redis')) }
    const privacy = createPrivacy({ db: database.db, dispatcher, log: silent })
    const report = await privacy.eraseCustomer({ kind: 'wa', waId: '5511900011002' })
    expect(report).toMatchObject({ removed: { contacts: 1, messages: 1 }, queueJobs: { removed: null, error: 'ATD_QUEUE_UNAVAILABLE' } })
    await expect(privacy.exportCustomer({ kind: 'wa', waId: '5511900011002' })).rejects.toMatchObject({ code: 'ATD_NOT_FOUND' })
  })
})
