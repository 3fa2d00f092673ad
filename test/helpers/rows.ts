import { sql } from 'drizzle-orm'
import { queryRows, type Database } from '../../src/store/index.js'

/** Row counts of every table a webhook may write: "nothing changed" is these staying equal. */
export async function tableCounts(database: Database): Promise<Record<string, number>> {
  const [r] = await queryRows<Record<string, string | number>>(
    database.db,
    sql`select (select count(*) from contacts) as contacts, (select count(*) from conversations) as conversations,
               (select count(*) from messages) as messages, (select count(*) from status_events) as status_events,
               (select count(*) from quarantine) as quarantine`,
  )
  return Object.fromEntries(Object.entries(r!).map(([k, v]) => [k, Number(v)]))
}

export async function inboundMessages(database: Database) {
  return queryRows<{ id: string; conversation_id: string; wamid: string; seq: number; type: string; text: string | null; payload: unknown }>(
    database.db,
    sql`select id, conversation_id, wamid, seq, type, text, payload from messages where direction = 'in' order by id`,
  )
}
