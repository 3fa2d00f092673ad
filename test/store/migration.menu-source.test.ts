import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { migrate, queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { indexOfMigration, MIGRATIONS, useDatabaseMigratedBefore } from '../helpers/migrations.js'

const MENU_SOURCE = indexOfMigration('_menu_rows_learning_source')

// Department menus stored before they carried their learning source get it: the learning
// run reads `payload.source` of every bot row and finds `fallback` on each menu.
describe.each(ENGINES)('the menu_rows_learning_source migration (%s)', (engine) => {
  const suite = useDatabaseMigratedBefore(engine, MENU_SOURCE)

  it('gives every stored menu the fallback source and leaves every other row as it was', async () => {
    const db = suite.database.db
    const [k] = await queryRows<{ id: string }>(db, sql`insert into contacts (customer_key, wa_id) values ('wa:5511900000019', '5511900000019') returning id`)
    const [c] = await queryRows<{ id: string }>(
      db,
      sql`insert into conversations (phone_number_id, contact_id, last_seq, answered_seq, last_outbound_seq) values ('1000000001', ${k!.id}, 2, 2, 4) returning id`,
    )
    const id = Number(c!.id)
    await db.execute(sql`insert into messages (conversation_id, direction, kind, wamid, seq, part, outbound_seq, type, text, provider_status, payload) values
      (${id}, 'in', null, 'wamid.MS1', 1, 0, null, 'text', 'tenho uma dúvida', 'received', null),
      (${id}, 'out', 'menu', 'wamid.MS2', 1, 0, 1, 'interactive', 'Sobre qual assunto?', 'sent', null),
      (${id}, 'out', 'menu', 'wamid.MS3', 1, 1, 2, 'interactive', 'Sobre qual assunto?', 'sent', '{"note": "kept"}'),
      (${id}, 'out', 'reply', 'wamid.MS4', 2, 0, 3, 'text', 'Resposta', 'sent', '{"source": "knowledge-base"}'),
      (${id}, 'out', 'agent', 'wamid.MS5', 2, 0, 4, 'text', 'Oi, aqui é a Carla', 'sent', '{"agent": "Carla"}')`)

    expect(await migrate(db)).toEqual({ applied: MIGRATIONS.length - MENU_SOURCE })

    const rows = await queryRows<{ wamid: string; payload: unknown }>(db, sql`select wamid, payload from messages where conversation_id = ${id} order by wamid`)
    expect(rows).toEqual([
      { wamid: 'wamid.MS1', payload: null },
      { wamid: 'wamid.MS2', payload: { source: 'fallback' } },
      { wamid: 'wamid.MS3', payload: { note: 'kept', source: 'fallback' } },
      { wamid: 'wamid.MS4', payload: { source: 'knowledge-base' } },
      { wamid: 'wamid.MS5', payload: { agent: 'Carla' } },
    ])
  })
})
