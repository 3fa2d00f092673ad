import { createHash } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commitInbox, commitInboxGroup, queryRows, type Database, type InboundRow, type StatusRow } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { tableCounts } from '../helpers/rows.js'

const debounce = { debounceMs: 0, debounceMaxMs: 0 }

function row(wamid: string): InboundRow {
  return {
    phoneNumberId: '1000000001', customerKey: 'wa:5511900004001', waId: '5511900004001', userId: undefined, profileName: 'Cliente Apagado',
    wamid, type: 'text', text: 'mensagem antiga', media: undefined, payload: undefined, sentAt: new Date(),
  }
}

function status(wamid: string): StatusRow {
  return { wamid, status: 'read', recipient: '5511900004001', occurredAt: new Date(), errors: undefined, outboxId: undefined, payload: { id: wamid } }
}

describe.each(ENGINES)('wamids of an erased customer (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    // As the erase leaves them; the hash is computed here in TypeScript, so the SQL rule is checked against it.
    for (const wamid of ['wamid.ERASED1', 'wamid.ERASED2', 'wamid.ERASEDOUT']) {
      const hash = createHash('sha256').update(wamid, 'utf8').digest()
      await database.db.execute(sql`insert into erased_wamids (hash, erased_at) values (${hash}, now())`)
    }
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  it('counts a redelivered message as a duplicate and stores nothing of it', async () => {
    const before = await tableCounts(database)
    const [outcome] = await commitInboxGroup(database.db, [{ messages: [row('wamid.ERASED1')], statuses: [], quarantine: [] }], new Date(), debounce)
    expect(outcome).toMatchObject({ ok: true, result: { accepted: [], duplicates: 1 } })
    expect(await tableCounts(database)).toEqual(before)
  })

  it('does so on the row-by-row path as well, and still accepts a new message beside it', async () => {
    const result = await commitInbox(database.db, { messages: [row('wamid.ERASED2'), row('wamid.NEW1')], statuses: [], quarantine: [] }, new Date(), debounce)
    expect(result).toMatchObject({ duplicates: 1, quarantined: 0 })
    expect(result.accepted).toHaveLength(1)
    const stored = await queryRows<{ wamid: string }>(database.db, sql`select wamid from messages order by id`)
    expect(stored.map((r) => r.wamid)).toEqual(['wamid.NEW1'])
  })

  it('does not store a status of an erased message, and stores the others', async () => {
    await commitInboxGroup(database.db, [{ messages: [], statuses: [status('wamid.ERASEDOUT'), status('wamid.OTHER')], quarantine: [] }], new Date(), debounce)
    const stored = await queryRows<{ wamid: string }>(database.db, sql`select wamid from status_events order by id`)
    expect(stored.map((r) => r.wamid)).toEqual(['wamid.OTHER'])
  })
})
