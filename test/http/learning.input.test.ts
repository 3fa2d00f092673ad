import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { ADMIN_TOKEN, useWebhookApp } from '../helpers/webhook-app.js'

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
let customers = 0

describe.each(ENGINES)('learning review API: hostile and wrong input (%s)', (engine) => {
  const suite = useWebhookApp(engine)

  /** A pending proposal quoting a fresh conversation of a customer named `name`. */
  async function proposal(fields: { kind?: string; question?: string | null; answer?: string | null; department?: string | null; name?: string }) {
    const waId = `55119555${String(++customers).padStart(5, '0')}`
    const [row] = await queryRows<{ id: string }>(
      suite.database.db,
      sql`with k as (insert into contacts (customer_key, wa_id, profile_name) values (${`wa:${waId}`}, ${waId}, ${fields.name ?? 'Cliente'}) returning id),
          c as (insert into conversations (phone_number_id, contact_id) select '1000', id from k returning id)
          insert into learning_proposals (kind, conversation_id, question, answer, department)
          select ${fields.kind ?? 'faq'}, c.id, ${fields.question === undefined ? 'Vocês abrem no domingo?' : fields.question},
                 ${fields.answer === undefined ? 'Abrimos das 9h às 13h.' : fields.answer}, ${fields.department === undefined ? 'comercial' : fields.department}
          from c returning id`,
    )
    if (fields.kind === 'unanswered') {
      // A group shows only while it has questions: give it one.
      await suite.database.db.execute(
        sql`with m as (insert into messages (conversation_id, direction, seq, type, text, provider_status)
                       select conversation_id, 'in', 1, 'text', 'vocês abrem no domingo?', 'received' from learning_proposals where id = ${row!.id}
                       returning id, conversation_id)
            insert into learning_proposal_sources (message_id, proposal_id, conversation_id, question)
            select m.id, ${row!.id}, m.conversation_id, 'vocês abrem no domingo?' from m`,
      )
    }
    return Number(row!.id)
  }

  async function state(id: number) {
    const [p] = await queryRows<{ status: string; additions: number }>(
      suite.database.db,
      sql`select p.status, (select count(*)::int from knowledge_additions a where a.proposal_id = p.id) as additions from learning_proposals p where p.id = ${id}`,
    )
    return p
  }

  const approve = (id: number | string, payload?: unknown, headers: Record<string, string> = {}) =>
    suite.app.inject({ method: 'POST', url: `/api/learning/proposals/${id}/approve`, headers: { ...auth, ...headers }, ...(payload === undefined ? {} : { payload: payload as string }) })

  it('refuses every learning route without the admin token', async () => {
    const id = await proposal({})
    for (const [method, url] of [['GET', '/api/learning/proposals'], ['POST', `/api/learning/proposals/${id}/approve`], ['POST', `/api/learning/proposals/${id}/reject`]] as const) {
      const res = await suite.app.inject({ method, url })
      expect(res.statusCode).toBe(401)
      expect(res.json()).toMatchObject({ code: 'ATD_UNAUTHORIZED' })
    }
    expect(await state(id)).toEqual({ status: 'pending', additions: 0 })
  })

  it.each([
    ['an unknown filter', '?stauts=pending'],
    ['an unknown status', '?status=maybe'],
    ['an unknown kind', '?kind=gossip'],
    ['a limit of 0', '?limit=0'],
    ['a limit too large', '?limit=100000'],
    ['a limit that is not a number', '?limit=ten'],
  ])('answers 400 to a listing with %s', async (_, query) => {
    const res = await suite.app.inject({ method: 'GET', url: `/api/learning/proposals${query}`, headers: auth })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toMatch(/^ATD_/)
  })

  it.each([
    ['not a number', 'abc'],
    ['zero', '0'],
    ['negative', '-3'],
    ['past the safe integers', '99999999999999999999'],
    ['a fraction', '1.5'],
  ])('answers 400 to a proposal id that is %s', async (_, id) => {
    const res = await approve(id)
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('ATD_BAD_REQUEST')
  })

  it('answers 404 ATD_NOT_FOUND for a proposal that does not exist', async () => {
    for (const action of ['approve', 'reject']) {
      const res = await suite.app.inject({ method: 'POST', url: `/api/learning/proposals/987654321/${action}`, headers: auth })
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({ code: 'ATD_NOT_FOUND' })
    }
  })

  it.each<[string, unknown, Record<string, string>?]>([
    ['a body that is not JSON', '{"question": ', { 'content-type': 'application/json' }],
    ['a JSON array', '[]', { 'content-type': 'application/json' }],
    ['an unknown field', { question: 'x', status: 'approved' }],
    ['a NUL in the question', { question: 'abre\u0000domingo?' }],
    ['a lone surrogate in the answer', '{"answer": "Abrimos \\ud83d"}', { 'content-type': 'application/json' }],
    ['a question over 1,000 characters', { question: 'a'.repeat(1001) }],
    ['an answer over 4,096 characters', { answer: 'a'.repeat(4097) }],
    ['an empty answer', { answer: '' }],
    ['a department that is not an id', { department: 'Comercial!' }],
    ['allowPersonalData that is not a boolean', { allowPersonalData: 'yes' }],
    ['a prototype-polluting key', '{"__proto__": {"status": "approved"}}', { 'content-type': 'application/json' }],
  ])('answers 400 to an approval with %s, and changes nothing', async (_, payload, headers) => {
    const id = await proposal({})
    const res = await approve(id, payload, headers)
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toMatch(/^ATD_/)
    expect(await state(id)).toEqual({ status: 'pending', additions: 0 })
  })

  it('answers 413 to an oversized approval body', async () => {
    const id = await proposal({})
    const res = await approve(id, JSON.stringify({ answer: 'a'.repeat(70 * 1024) }), { 'content-type': 'application/json' })
    expect(res.statusCode).toBe(413)
    expect(await state(id)).toEqual({ status: 'pending', additions: 0 })
  })

  it('approves as proposed with no body, or with an empty JSON body', async () => {
    const a = await proposal({})
    expect((await approve(a)).statusCode).toBe(200)
    const b = await proposal({})
    const res = await approve(b, '', { 'content-type': 'application/json' })
    expect(res.statusCode).toBe(200)
    expect(await state(b)).toEqual({ status: 'approved', additions: 1 })
  })

  it('refuses a text with personal data until it is edited out or explicitly allowed', async () => {
    const id = await proposal({ question: 'Meu CPF 123.456.789-09 está certo?', answer: 'Maria, seu cadastro está ok.', name: 'Maria Souza' })
    const listed = await suite.app.inject({ method: 'GET', url: '/api/learning/proposals?status=pending&kind=faq&limit=200', headers: auth })
    const item = listed.json().items.find((p: { id: number }) => p.id === id)
    expect(item).toMatchObject({ flagged: true, flags: [{ field: 'question', kind: 'cpf', start: 8, end: 22 }, { field: 'answer', kind: 'name', start: 0, end: 5 }] })

    const refused = await approve(id)
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({ code: 'ATD_LEARNING_PERSONAL_DATA' })
    expect(refused.json().message).not.toContain('123.456.789-09')
    expect(refused.json().message).not.toContain('Maria')
    const halfEdited = await approve(id, { question: 'Meu CPF está certo no cadastro?' })
    expect(halfEdited.statusCode).toBe(409)
    expect(await state(id)).toEqual({ status: 'pending', additions: 0 })

    const edited = await approve(id, { question: 'Meu CPF está certo no cadastro?', answer: 'Confira seu cadastro no app, em Meus dados.' })
    expect(edited.statusCode).toBe(200)
    expect(await state(id)).toEqual({ status: 'approved', additions: 1 })

    const other = await proposal({ question: 'Posso pagar pelo e-mail financeiro@loja.com.br?' })
    expect((await approve(other, { allowPersonalData: true })).statusCode).toBe(200)
  })

  it('refuses to teach an entry with no answer or an unknown department', async () => {
    const noAnswer = await proposal({ kind: 'unanswered', answer: null })
    const res = await approve(noAnswer)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'ATD_LEARNING_PROPOSAL_INCOMPLETE' })
    const noDepartment = await proposal({ department: null })
    expect((await approve(noDepartment)).json()).toMatchObject({ code: 'ATD_LEARNING_PROPOSAL_INCOMPLETE' })
    expect((await approve(noDepartment, { department: 'comercial' })).statusCode).toBe(200)
  })

  it('reviews a proposal once: a second approve or reject answers 409 ATD_LEARNING_PROPOSAL_NOT_PENDING', async () => {
    const id = await proposal({})
    const reject = () => suite.app.inject({ method: 'POST', url: `/api/learning/proposals/${id}/reject`, headers: auth })
    const first = await reject()
    expect(first.statusCode).toBe(200)
    expect(first.json()).toMatchObject({ id, status: 'rejected', knowledgeAdditionId: null })
    for (const res of [await reject(), await approve(id)]) {
      expect(res.statusCode).toBe(409)
      expect(res.json()).toMatchObject({ code: 'ATD_LEARNING_PROPOSAL_NOT_PENDING' })
    }
    expect(await state(id)).toEqual({ status: 'rejected', additions: 0 })
  })

  it('approves a proposal once when two approvals race', async () => {
    const id = await proposal({})
    const results = await Promise.all([approve(id), approve(id), approve(id)])
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409])
    expect(await state(id)).toEqual({ status: 'approved', additions: 1 })
  })
})
