import { describe, expect, it } from 'vitest'
import { commitInbox, type InboundRow } from '../../src/store/index.js'
import { runAtende } from '../helpers/atende-process.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { freePort } from '../helpers/redis.js'

const NAME = 'Cliente Linha De Comando'

function row(customer: string, wamid: string): InboundRow {
  return {
    phoneNumberId: '1000000001', customerKey: `wa:${customer}`, waId: customer, userId: undefined, profileName: NAME,
    wamid, type: 'text', text: 'quero apagar meus dados', media: undefined, payload: undefined, sentAt: new Date(),
  }
}

/** A database holding one message of each customer, closed again so that the command can open it. */
async function seeded(engine: (typeof ENGINES)[number], customers: string[]): Promise<TestDatabase> {
  const t = await createTestDatabase(engine)
  const database = await openMigrated(t)
  const messages = customers.map((c, i) => row(c, `wamid.CLI.${i}`))
  const statuses = [{ wamid: 'wamid.CLI.0', status: 'read', recipient: customers[0], occurredAt: new Date(), errors: undefined, outboxId: undefined, payload: {} }]
  await commitInbox(database.db, { messages, statuses, quarantine: [] }, new Date(), { debounceMs: 0, debounceMaxMs: 0 })
  await database.close()
  return t
}

/** Each run starts a process that loads the whole service: seconds each, more on a busy machine. */
const CLI_TIMEOUT_MS = 240_000

const envOf = (t: TestDatabase): Record<string, string> => (t.url !== undefined ? { DATABASE_URL: t.url } : { DATA_DIR: t.dataDir })

describe.each(ENGINES)('atende privacy (%s)', { timeout: CLI_TIMEOUT_MS }, (engine) => {
  it('exports a customer as JSON on stdout, erases them, and then knows them no more', async () => {
    const t = await seeded(engine, ['5511900009001'])
    try {
      // Logging on: the log must go to stderr, leaving stdout to the answer.
      const exported = await runAtende(['privacy', 'export', '5511900009001'], { ...envOf(t), LOG_LEVEL: 'info' })
      expect(exported.code).toBe(0)
      const data = JSON.parse(exported.stdout) as { customer: string; exportedAt: string; sections: Array<{ table: string; rows: any[] }> }
      expect(data.customer).toBe('5511900009001')
      expect(Date.parse(data.exportedAt)).not.toBeNaN()
      expect(data.sections.map((s) => [s.table, s.rows.length])).toEqual([
        ['contacts', 1], ['conversations', 1], ['messages', 1], ['conversation_events', 0], ['nps_surveys', 0],
        ['learning_records', 0], ['learning_proposals', 0], ['learning_proposal_sources', 0], ['status_events', 1], ['quarantine', 0], ['outgoing_events', 0],
      ])
      expect(data.sections[0]!.rows[0]).toMatchObject({ wa_id: '5511900009001', profile_name: NAME })
      expect(exported.stderr).toContain('customer data exported')

      const erased = await runAtende(['privacy', 'erase', '5511900009001'], envOf(t))
      expect(erased.code).toBe(0)
      // Without Redis the wake-ups live in the serving process: nothing to remove here.
      expect(JSON.parse(erased.stdout)).toEqual({
        removed: {
          contacts: 1, conversations: 1, messages: 1, conversation_events: 0, nps_surveys: 0,
          learning_records: 0, learning_proposals: 0, learning_proposal_sources: 0, status_events: 1, quarantine: 0, outgoing_events: 0,
        },
        erasedWamids: 1,
        queueJobs: { removed: 0 },
      })

      const again = await runAtende(['privacy', 'export', '5511900009001'], envOf(t))
      expect(again.code).toBe(3)
      expect(again.stdout).toBe('')
      expect(again.stderr).toContain('no customer data is held under this id')
    } finally {
      await t.drop()
    }
  })

  it('erases the database and says the queue jobs could not be removed when Redis is unreachable', async () => {
    const t = await seeded(engine, ['5511900009002', '5511900009003'])
    try {
      const deadRedis = `redis://127.0.0.1:${await freePort()}`
      const erased = await runAtende(['privacy', 'erase', '5511900009002'], { ...envOf(t), REDIS_URL: deadRedis, REDIS_COMMAND_TIMEOUT_MS: '300' })
      expect(erased.code).toBe(0)
      expect(JSON.parse(erased.stdout)).toMatchObject({
        removed: { contacts: 1, messages: 1 },
        queueJobs: { removed: null, error: 'ATD_QUEUE_UNAVAILABLE' },
      })
      expect((await runAtende(['privacy', 'export', '5511900009002'], envOf(t))).code).toBe(3)
      expect((await runAtende(['privacy', 'export', '5511900009003'], envOf(t))).code).toBe(0)
    } finally {
      await t.drop()
    }
  })
})

describe('atende privacy with bad arguments', { timeout: CLI_TIMEOUT_MS }, () => {
  it.each([
    ['no action', ['privacy']],
    ['an unknown action', ['privacy', 'delete', '5511900009001']],
    ['no id', ['privacy', 'erase']],
    ['a malformed id', ['privacy', 'erase', '+55 11 90000-9001']],
    ['a huge id', ['privacy', 'export', '9'.repeat(5_000)]],
    ['a unicode id', ['privacy', 'erase', '５５１１９']],
    ['an extra argument', ['privacy', 'erase', '5511900009001', '5511900009002']],
  ])('exits 2 with what it expects for %s, touching no database', async (_label, args) => {
    // A database URL nobody listens on: reaching for it would fail differently (exit 1).
    const r = await runAtende(args, { DATABASE_URL: `postgres://127.0.0.1:${await freePort()}/none` })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/expected/)
    expect(r.stderr.length).toBeLessThan(2_000)
  })
})
