import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPrivacy } from '../../src/privacy/index.js'
import { commitInbox, type Database } from '../../src/store/index.js'
import { capturedLog } from '../helpers/captured-log.js'
import { createTestDatabase, openMigrated, type TestDatabase } from '../helpers/db.js'
import { recordingDispatcher } from '../dispatch/helpers.js'

/**
 * The export and erase log lines say how many rows each table gave up, through the root
 * logger's redaction: counts, never what the rows hold, and never "[redacted]" for a count.
 */
describe('the privacy log lines', () => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase('pglite')
    database = await openMigrated(t)
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  it('count the rows of each table, contacts included, and carry no personal data', async () => {
    const waId = '5511900022001'
    const message = {
      phoneNumberId: '1000000001', customerKey: `wa:${waId}`, waId, userId: undefined, profileName: 'Cliente Teste',
      wamid: 'wamid.privacy-log.1', type: 'text', text: 'meu cpf é 123', media: undefined, payload: undefined, sentAt: new Date(),
    }
    await commitInbox(database.db, { messages: [message], statuses: [], quarantine: [] }, new Date(), { debounceMs: 0, debounceMaxMs: 0 })
    const { log, lines } = capturedLog({ production: true })
    const privacy = createPrivacy({ db: database.db, dispatcher: recordingDispatcher(), log })

    await privacy.exportCustomer({ kind: 'wa', waId })
    await privacy.eraseCustomer({ kind: 'wa', waId })

    for (const msg of ['customer data exported', 'customer data erased']) {
      const line = lines.find((l) => l.msg === msg)
      expect(line, msg).toBeDefined()
      const tables = line!.tables as Array<{ table: string; rows: unknown }>
      expect(tables.find((c) => c.table === 'contacts'), msg).toEqual({ table: 'contacts', rows: 1 })
      expect(tables.find((c) => c.table === 'messages'), msg).toEqual({ table: 'messages', rows: 1 })
      for (const c of tables) expect(typeof c.rows, `${msg}: ${c.table}`).toBe('number')
    }
    const written = JSON.stringify(lines)
    for (const personal of [waId, 'Cliente Teste', 'meu cpf']) expect(written).not.toContain(personal)
  })
})
