import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows, type Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { ADMIN_TOKEN, buildWebhookApp, signedPost, type WebhookApp } from '../helpers/webhook-app.js'
import { loadWebhook, textMessage, webhookWith } from '../whatsapp/fixtures.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
/** Fictional customers, one conversation each. */
const CUSTOMERS = ['5511900000101', '5511900000102', '5511900000103', '5511900000104', '5511900000105']
const BSUID = 'BR.0000000000000000001'
const LONG_TEXT = 'á'.repeat(150) + 'b'.repeat(150)

interface Item {
  id: number
  status: string
  department: string | null
  simulated: boolean
  contact: { waId: string | null; userId: string | null }
  lastMessage?: { direction: string; type: string; text: string | null; createdAt: string }
}
interface Page {
  items: Item[]
  nextCursor: string | null
}

function fromCustomer(waId: string, wamid: string, text: string) {
  return webhookWith({ ...textMessage(wamid, text), from: waId }, { contacts: [{ profile: { name: `Cliente ${waId.slice(-3)}` }, wa_id: waId }] })
}

describe.each(ENGINES)('admin API: conversations (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let w: WebhookApp
  const conversationOf = new Map<string, number>()

  const list = async (query = ''): Promise<Page> => {
    const res = await w.app.inject({ url: `/api/conversations${query}`, headers: auth })
    expect(res.statusCode, res.body).toBe(200)
    return res.json<Page>()
  }

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    w = await buildWebhookApp(database)
    for (const [i, waId] of CUSTOMERS.entries()) {
      for (const n of [1, 2]) {
        const text = i === 0 && n === 2 ? LONG_TEXT : `mensagem ${n}`
        expect((await w.app.inject(signedPost(fromCustomer(waId, `wamid.ADM${i}${n}`, text)))).statusCode).toBe(200)
      }
    }
    expect((await w.app.inject(signedPost(loadWebhook('from-user-id')))).statusCode).toBe(200)
    const rows = await queryRows<{ id: string; key: string }>(
      database.db,
      sql`select c.id, k.customer_key as key from conversations c join contacts k on k.id = c.contact_id`,
    )
    for (const r of rows) conversationOf.set(r.key, Number(r.id))
    await database.db.execute(
      sql`update conversations set status = 'handoff', department = 'financeiro' where id = ${conversationOf.get(`wa:${CUSTOMERS[1]}`)!}`,
    )
    await database.db.execute(sql`update conversations set department = 'suporte' where id = ${conversationOf.get(`wa:${CUSTOMERS[2]}`)!}`)
    await database.db.execute(sql`update conversations set status = 'closed' where id = ${conversationOf.get(`wa:${CUSTOMERS[3]}`)!}`)
  })
  afterAll(async () => {
    await w.close()
    await database.close()
    await t.drop()
  })

  it('lists every conversation newest first with its contact and last message', async () => {
    const page = await list()
    expect(page.items).toHaveLength(CUSTOMERS.length + 1)
    expect(page.nextCursor).toBeNull()
    const ids = page.items.map((i) => i.id)
    expect(ids).toEqual([...ids].sort((a, b) => b - a))
    const first = page.items.find((i) => i.id === conversationOf.get(`wa:${CUSTOMERS[4]}`))!
    expect(first).toMatchObject({
      phoneNumberId: '1000000001',
      contact: { waId: CUSTOMERS[4], userId: null, profileName: 'Cliente 105' },
      status: 'open',
      department: null,
      lastSeq: 2,
      lastMessage: { direction: 'in', type: 'text', text: 'mensagem 2' },
    })
    expect(first.lastMessage!.createdAt).toMatch(ISO)
  })

  it('returns only the documented fields of a conversation', async () => {
    const [item] = (await list('?limit=1')).items
    expect(Object.keys(item!).sort()).toEqual(
      ['answeredSeq', 'contact', 'createdAt', 'department', 'id', 'lastMessage', 'lastSeq', 'phoneNumberId', 'simulated', 'status', 'turnDueAt', 'updatedAt'].sort(),
    )
    expect(Object.keys(item!.contact).sort()).toEqual(['id', 'profileName', 'userId', 'waId'])
    expect(typeof item!.id).toBe('number')
  })

  it('says a real conversation is not simulated', async () => {
    const [item] = (await list('?limit=1')).items
    expect(item!.simulated).toBe(false)
  })

  it('truncates the last message text to 200 characters', async () => {
    const page = await list(`?contact=${CUSTOMERS[0]}`)
    expect(page.items[0]!.lastMessage!.text).toBe(LONG_TEXT.slice(0, 200))
  })

  it('filters by the contact wa_id, customer key or business-scoped user id', async () => {
    const byWaId = await list(`?contact=${CUSTOMERS[2]}`)
    expect(byWaId.items.map((i) => i.id)).toEqual([conversationOf.get(`wa:${CUSTOMERS[2]}`)])
    const byKey = await list(`?contact=${encodeURIComponent(`wa:${CUSTOMERS[2]}`)}`)
    expect(byKey.items.map((i) => i.id)).toEqual([conversationOf.get(`wa:${CUSTOMERS[2]}`)])
    const byUserId = await list(`?contact=${BSUID}`)
    expect(byUserId.items).toHaveLength(1)
    expect(byUserId.items[0]!.contact).toMatchObject({ waId: null, userId: BSUID })
  })

  it('matches contacts exactly, never by prefix', async () => {
    expect((await list(`?contact=${CUSTOMERS[2]!.slice(0, -1)}`)).items).toEqual([])
  })

  it('filters by status', async () => {
    const handoff = await list('?status=handoff')
    expect(handoff.items.map((i) => i.id)).toEqual([conversationOf.get(`wa:${CUSTOMERS[1]}`)])
    const open = await list('?status=open')
    expect(open.items).toHaveLength(CUSTOMERS.length - 1)
    expect(open.items.every((i) => i.status === 'open')).toBe(true)
    expect((await list('?status=awaiting_nps')).items).toEqual([])
  })

  it('filters by department, alone and with a status', async () => {
    const suporte = await list('?department=suporte')
    expect(suporte.items.map((i) => i.id)).toEqual([conversationOf.get(`wa:${CUSTOMERS[2]}`)])
    expect((await list('?department=financeiro&status=handoff')).items).toHaveLength(1)
    expect((await list('?department=financeiro&status=open')).items).toEqual([])
  })

  it('walks every conversation exactly once across pages of 2', async () => {
    const all = (await list('?limit=100')).items.map((i) => i.id)
    const seen: number[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Page = await list(`?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((i) => i.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null && pages < 10)
    expect(seen).toEqual(all)
    expect(new Set(seen).size).toBe(CUSTOMERS.length + 1)
    expect(pages).toBe(Math.ceil(all.length / 2))
  })

  it('keeps a walk stable while conversations receive new messages', async () => {
    const first = await list('?limit=2')
    // The oldest conversation gets a message: with `updated_at` ordering it would jump pages.
    await w.app.inject(signedPost(fromCustomer(CUSTOMERS[0]!, 'wamid.ADMSTABLE', 'mais uma')))
    const rest: Page = await list(`?limit=100&cursor=${first.nextCursor!}`)
    const ids = [...first.items, ...rest.items].map((i) => i.id)
    expect(new Set(ids).size).toBe(CUSTOMERS.length + 1)
  })

  it('paginates a filtered listing', async () => {
    const first = await list('?status=open&limit=2')
    expect(first.nextCursor).not.toBeNull()
    const second = await list(`?status=open&limit=2&cursor=${first.nextCursor!}`)
    expect(second.items.every((i) => i.status === 'open')).toBe(true)
    expect(second.items.map((i) => i.id).some((id) => first.items.some((f) => f.id === id))).toBe(false)
  })
})
