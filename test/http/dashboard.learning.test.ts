import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, type WebhookApp } from '../helpers/webhook-app.js'
import { asPage, dashboardDeps, login, type LoggedIn } from './dashboard-helpers.js'

let customers = 0

/**
 * The dashboard's learning review calls the admin API's routes, and takes the bodies they
 * take: a reject with no body (as the README documents it) or `{}`, an approval with none.
 */
describe.each(ENGINES)("the dashboard's learning actions take the admin API's bodies (%s)", (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  let admin: LoggedIn

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database, { dashboard: dashboardDeps() })
    admin = await login(w.app, ADMIN_TOKEN)
  })
  afterAll(async () => {
    await w?.close()
    await database?.close()
    await t?.drop()
  })

  async function proposal(): Promise<number> {
    const waId = `55119444${String(++customers).padStart(5, '0')}`
    const [row] = await queryRows<{ id: string }>(
      database.db,
      sql`with k as (insert into contacts (customer_key, wa_id, profile_name) values (${`wa:${waId}`}, ${waId}, 'Cliente') returning id),
          c as (insert into conversations (phone_number_id, contact_id) select '1000', id from k returning id)
          insert into learning_proposals (kind, conversation_id, question, answer, department)
          select 'faq', c.id, 'Vocês abrem no domingo?', 'Abrimos das 9h às 13h.', 'comercial' from c returning id`,
    )
    return Number(row!.id)
  }
  const status = async (id: number) => (await queryRows<{ status: string }>(database.db, sql`select status from learning_proposals where id = ${id}`))[0]!.status
  const act = (id: number, action: string, payload?: unknown) =>
    w.app.inject({ method: 'POST', url: `/admin/api/learning/proposals/${id}/${action}`, headers: asPage(admin), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })

  it('rejects a proposal with no body at all', async () => {
    const id = await proposal()
    const res = await act(id, 'reject')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ id, status: 'rejected', knowledgeAdditionId: null })
    expect(await status(id)).toBe('rejected')
  })

  it('rejects a proposal with an empty object, as the dashboard page sends', async () => {
    const id = await proposal()
    const res = await act(id, 'reject', {})
    expect(res.statusCode, res.body).toBe(200)
    expect(await status(id)).toBe('rejected')
  })

  it('approves a proposal as proposed with no body at all', async () => {
    const id = await proposal()
    const res = await act(id, 'approve')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ id, status: 'approved' })
  })

  it('refuses a rejection that carries a field with 400 ATD_BAD_REQUEST, leaving the proposal pending', async () => {
    const id = await proposal()
    const res = await act(id, 'reject', { reason: 'duplicada' })
    expect(res.statusCode, res.body).toBe(400)
    expect(res.json()).toMatchObject({ code: 'ATD_BAD_REQUEST' })
    expect(await status(id)).toBe('pending')
  })
})
