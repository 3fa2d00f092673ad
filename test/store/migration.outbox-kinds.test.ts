import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { migrate, prepareReply, queryRows, queueOutbound } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { indexOfMigration, MIGRATIONS, useDatabaseMigratedBefore } from '../helpers/migrations.js'

const OUTBOX_KINDS = indexOfMigration('_outbox_kinds')

// Data written before outbound rows had kinds keeps working: every outbound row becomes a
// `reply`, numbered in the order written, and new rows number on from there.
describe.each(ENGINES)('the outbox_kinds migration (%s)', (engine) => {
  const suite = useDatabaseMigratedBefore(engine, OUTBOX_KINDS)

  it('makes every existing outbound row a reply, numbered in the order written', async () => {
    expect(OUTBOX_KINDS).toBeGreaterThan(0)
    const db = suite.database.db
    const [k] = await queryRows<{ id: string }>(db, sql`insert into contacts (customer_key, wa_id) values ('wa:5511900000009', '5511900000009') returning id`)
    const [c] = await queryRows<{ id: string }>(
      db,
      sql`insert into conversations (phone_number_id, contact_id, last_seq, answered_seq) values ('1000000001', ${k!.id}, 2, 2) returning id`,
    )
    const id = Number(c!.id)
    await db.execute(sql`insert into messages (conversation_id, direction, wamid, seq, part, type, text, provider_status, payload) values
      (${id}, 'in', 'wamid.M1', 1, 0, 'text', 'oi', 'received', null),
      (${id}, 'out', 'wamid.O2', 2, 0, 'text', 'Resposta dois', 'sent', '{"resolved":false}'),
      (${id}, 'out', null, 1, 1, 'text', 'Parte dois', 'superseded', null),
      (${id}, 'in', 'wamid.M2', 2, 0, 'text', 'e aí?', 'received', null),
      (${id}, 'out', 'wamid.O1', 1, 0, 'text', 'Parte um', 'sent', null)`)

    // outbox_kinds and every migration after it.
    expect(await migrate(db)).toEqual({ applied: MIGRATIONS.length - OUTBOX_KINDS })

    const rows = await queryRows<{ direction: string; kind: string | null; seq: number; part: number; outbound_seq: number | null; text: string }>(
      db,
      sql`select direction, kind, seq, part, outbound_seq, text from messages where conversation_id = ${id} order by direction, seq, part`,
    )
    expect(rows.map((r) => [r.direction, r.kind, r.seq, r.part, r.outbound_seq])).toEqual([
      ['in', null, 1, 0, null], ['in', null, 2, 0, null],
      ['out', 'reply', 1, 0, 1], ['out', 'reply', 1, 1, 2], ['out', 'reply', 2, 0, 3],
    ])
    const [conv] = await queryRows<{ last_outbound_seq: number }>(db, sql`select last_outbound_seq from conversations where id = ${id}`)
    expect(conv!.last_outbound_seq).toBe(3)

    // New rows go on from there, whatever their kind.
    const agent = await queueOutbound(db, { conversationId: id, kind: 'agent', content: { type: 'text', text: 'Oi' }, takeOver: true, now: new Date() })
    expect(agent).toMatchObject({ kind: 'queued', outboundSeq: 4 })
    const [turn] = await queryRows<{ turn_token: string }>(db, sql`select turn_token from conversations where id = ${id}`)
    const parts = await prepareReply(db, {
      conversationId: id, token: Number(turn!.turn_token), seq: 2, parts: ['Nova'], meta: { department: undefined, resolved: false, handoff: false },
      apology: true, now: new Date(),
    })
    expect(parts.map((p) => p.part)).toEqual([1000])
    const [last] = await queryRows<{ outbound_seq: number }>(db, sql`select outbound_seq from messages where id = ${parts[0]!.id}`)
    expect(last!.outbound_seq).toBe(5)
  })
})
