import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/db.js'
import { ENGINES } from '../helpers/db.js'
import { graphError } from '../helpers/fake-graph.js'
import { conversationRow, outboxRows, sentText, useWorkerSuite } from './harness.js'

// The department menu leaves through the outbox as kind `menu` (issue #12): sent once, even
// when the first send fails and the turn is retried; a typed "2" then routes the conversation.
describe.each(ENGINES)('turn: the department menu (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  const departmentOf = async (id: number) =>
    (await queryRows<{ department: string | null }>(suite.database.db, sql`select department from conversations where id = ${id}`))[0]!.department

  it('queues the menu as kind menu, sends it once across a retried turn, and routes a typed number', async () => {
    const h = await suite.harness()
    let sends = 0
    h.onGraph((r) => (r.kind === 'send' && ++sends === 1 ? graphError(503, 1, 'Service temporarily unavailable') : undefined))
    const id = await h.burst('preciso de ajuda')

    await expect(h.turn(id, { attempt: 1, maxAttempts: 3 })).rejects.toThrow()
    expect(await h.turn(id, { attempt: 2, maxAttempts: 3 })).toBeUndefined()

    const [menu] = h.sends()
    expect(h.sends()).toHaveLength(1)
    expect(menu!.body).toMatchObject({ to: h.customer, type: 'interactive', interactive: { type: 'list' } })
    const rows = await outboxRows(suite.database, id)
    expect(rows.map((r) => [r.kind, r.type, r.status])).toEqual([['menu', 'interactive', 'sent']])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', answeredSeq: 1 })
    expect(await departmentOf(id)).toBeNull()

    const second = (menu!.body as { interactive: { action: { sections: Array<{ rows: Array<{ id: string }> }> } } })
      .interactive.action.sections[0]!.rows[1]!.id.replace('department:', '')
    await h.burst('2')
    await h.turn(id)
    expect(h.sends()).toHaveLength(2)
    expect(sentText(h.sends()[1]!)).toContain(suite.kb.departments.find((d) => d.id === second)!.name)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', answeredSeq: 2 })
    expect(await departmentOf(id)).toBe(second)
  })
})
