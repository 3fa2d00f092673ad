import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commitInboxGroup, queryRows, type Database, type InboundRow, type InboxBatch, type StatusRow } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'

const debounce = { debounceMs: 0, debounceMaxMs: 0 }

function message(wamid: string, text = 'oi'): InboundRow {
  return {
    phoneNumberId: '1000000001',
    customerKey: 'wa:551100000077',
    waId: '551100000077',
    userId: undefined,
    profileName: undefined,
    wamid,
    type: 'text',
    text,
    media: undefined,
    payload: undefined,
    sentAt: new Date(),
  }
}

function status(wamid: string, over: Partial<StatusRow> = {}): StatusRow {
  return { wamid, status: 'delivered', recipient: undefined, occurredAt: undefined, errors: undefined, outboxId: undefined, payload: { id: wamid }, ...over }
}

const batch = (b: Partial<InboxBatch>): InboxBatch => ({ messages: [], statuses: [], quarantine: [], ...b })

/**
 * The row-by-row fallback of the group commit (issue #8, finding 1): every status and
 * quarantine row gets its own savepoint, like messages. The database refusing a row for its
 * content quarantines that row; the database failing for its own state fails the request.
 */
describe.each(ENGINES)('group commit fallback (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    // A real refusal by the database, chosen by the row: a content error (22023) or a
    // cancelled statement (57014, what a statement timeout raises).
    await database.db.execute(sql.raw(`
      create function refuse_marked() returns trigger language plpgsql as $$
      begin
        if tg_table_name = 'messages' then
          if new.text = 'refuse-transient' then raise exception 'cancelled' using errcode = '57014'; end if;
          return new;
        end if;
        if new.status = 'refuse-content' then raise exception 'refused' using errcode = '22023'; end if;
        if new.status = 'refuse-transient' then raise exception 'cancelled' using errcode = '57014'; end if;
        return new;
      end $$`))
    await database.db.execute(sql.raw(`
      create trigger refuse_marked before insert on status_events for each row execute function refuse_marked()`))
    await database.db.execute(sql.raw(`
      create trigger refuse_marked before insert on messages for each row execute function refuse_marked()`))
  })
  afterAll(async () => {
    await database.close()
    await t.drop()
  })

  const count = async (query: ReturnType<typeof sql>) => Number((await queryRows<{ n: string }>(database.db, query))[0]!.n)

  it('quarantines a status whose outbox id overflows bigint and keeps the message beside it', async () => {
    const [outcome] = await commitInboxGroup(
      database.db,
      [batch({ messages: [message('wamid.FB1')], statuses: [status('wamid.FBOUT1', { outboxId: 1e20 })] })],
      new Date(),
      debounce,
    )
    expect(outcome).toMatchObject({ ok: true, result: { accepted: [expect.anything()], statuses: 0, quarantined: 1 } })
    expect(await count(sql`select count(*) as n from messages where wamid = 'wamid.FB1'`)).toBe(1)
    const [q] = await queryRows<{ reason: string; raw: Buffer }>(database.db, sql`select reason, raw from quarantine order by id desc limit 1`)
    expect(q!.reason).toMatch(/^status refused by the database \(SQLSTATE 22003\)/)
    expect(JSON.parse(Buffer.from(q!.raw).toString('utf8'))).toMatchObject({ wamid: 'wamid.FBOUT1' })
  })

  it('quarantines a status the database refuses for its content, in a group of several requests', async () => {
    const outcomes = await commitInboxGroup(
      database.db,
      [
        batch({ messages: [message('wamid.FB2')], statuses: [status('wamid.FBOUT2', { status: 'refuse-content' }), status('wamid.FBOUT3')] }),
        batch({ messages: [message('wamid.FB3')] }),
      ],
      new Date(),
      debounce,
    )
    expect(outcomes.map((o) => o.ok && [o.result.accepted.length, o.result.statuses, o.result.quarantined])).toEqual([[1, 1, 1], [1, 0, 0]])
    expect(await count(sql`select count(*) as n from status_events where wamid = 'wamid.FBOUT3'`)).toBe(1)
  })

  it('fails the request, and quarantines nothing, when the database cancels a statement', async () => {
    const quarantined = await count(sql`select count(*) as n from quarantine`)
    const [outcome] = await commitInboxGroup(
      database.db,
      [batch({ messages: [message('wamid.FB4')], statuses: [status('wamid.FBOUT4', { status: 'refuse-transient' })] })],
      new Date(),
      debounce,
    )
    expect(outcome?.ok).toBe(false)
    expect(await count(sql`select count(*) as n from quarantine`)).toBe(quarantined)
    expect(await count(sql`select count(*) as n from messages where wamid = 'wamid.FB4'`)).toBe(0)
  })

  it('fails the request instead of quarantining a message whose insert the database cancels', async () => {
    const quarantined = await count(sql`select count(*) as n from quarantine`)
    const outcomes = await commitInboxGroup(
      database.db,
      [batch({ messages: [message('wamid.FB5'), message('wamid.FB6', 'refuse-transient')] }), batch({ messages: [message('wamid.FB7')] })],
      new Date(),
      debounce,
    )
    // The other request of the group is not this one's failure.
    expect(outcomes.map((o) => o.ok)).toEqual([false, true])
    expect(await count(sql`select count(*) as n from quarantine`)).toBe(quarantined)
    expect(await count(sql`select count(*) as n from messages where wamid in ('wamid.FB5', 'wamid.FB6')`)).toBe(0)
  })
})
