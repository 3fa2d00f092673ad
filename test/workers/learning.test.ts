import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createLocalProvider, createOpenAiProvider } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { createReconciler } from '../../src/dispatch/index.js'
import { createPrivacy } from '../../src/privacy/index.js'
import { approveProposal, listProposals, queryRows } from '../../src/store/index.js'
import { createLearnedAi, createLearningProcessor, createLearningProducer } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { jobContext, outboxRows, sentText, silent, useWorkerSuite, type Harness } from './harness.js'

describe.each(ENGINES)('learning tasks (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  const learn = (h: Harness, conversationId: number) =>
    createLearningProcessor({ db: suite.database.db, language: 'pt-BR', log: silent, now: h.clock.now })({ queue: 'learning-tasks', conversationId }, jobContext())

  async function record(conversationId: number) {
    const [r] = await queryRows<Record<string, unknown>>(
      suite.database.db,
      sql`select runs, department, replies, fallbacks, handoff_reason, due_at from learning_records where conversation_id = ${conversationId}`,
    )
    return r
  }

  /** Pending groups of unanswered questions whose question mentions `word`. */
  async function groupsAbout(word: string) {
    return (await listProposals(suite.database.db, { status: 'pending', kind: 'unanswered', limit: 200 })).filter((p) => p.question?.includes(word))
  }

  it('records each bot reply with its source, and a second run updates the record without duplicating anything', async () => {
    const h = await suite.harness()
    const id = await h.burst('como faço pra pegar a segunda via do boleto?')
    await h.turn(id)
    await h.burst('vocês vendem ração de hamster?')
    await h.turn(id)

    await learn(h, id)
    await learn(h, id)

    expect(await record(id)).toMatchObject({ runs: 2, fallbacks: 1, replies: [{ seq: 1, source: 'knowledge-base' }, { seq: 2, source: 'fallback' }] })
    const groups = await groupsAbout('hamster')
    expect(groups).toHaveLength(1)
    expect(groups[0]).toMatchObject({ kind: 'unanswered', count: 1, answer: null })
  })

  it('groups similar unanswered questions from different conversations, with a count', async () => {
    for (const text of ['vocês aceitam bitcoin?', 'aceitam bitcoin?']) {
      const h = await suite.harness()
      const id = await h.burst(text)
      await h.turn(id)
      // A first message the bot cannot place gets the department menu: a fallback to learn from.
      expect((await outboxRows(suite.database, id))[0]!.kind).toBe('menu')
      await learn(h, id)
    }
    const groups = await groupsAbout('bitcoin')
    expect(groups.map((g) => g.count)).toEqual([2])
  })

  it('answers from an approved addition on the next turn, with no restart', async () => {
    const h = await suite.harness()
    h.deps.ai = createLearnedAi({ db: suite.database.db, kb: suite.kb, build: createLocalProvider })
    const id = await h.burst('vocês fazem festa junina?')
    await h.turn(id)
    expect((await outboxRows(suite.database, id))[0]!.kind).toBe('menu')
    await learn(h, id)
    const [group] = await groupsAbout('junina')

    const answer = 'Sim! A festa junina da loja é no dia 24 de junho, das 14h às 20h.'
    const approved = await approveProposal(suite.database.db, { id: group!.id, question: 'Vocês fazem festa junina?', answer, department: 'comercial', now: h.clock.now() })
    expect(approved.kind).toBe('done')

    const next = await suite.harness()
    next.deps.ai = h.deps.ai
    const other = await next.burst('vocês fazem festa junina esse ano?')
    await next.turn(other)
    expect(sentText(next.sends()[0]!)).toBe(answer)
    expect((await outboxRows(suite.database, other))[0]).toMatchObject({ text: answer })
  })

  it('gives an approved addition to the openai provider too, in the prompt of its next turn', async () => {
    const { fake } = await suite.openAi()
    const ai = createLearnedAi({
      db: suite.database.db,
      kb: suite.kb,
      build: (kb) => createOpenAiProvider({ apiKey: secret('sk-test'), baseURL: fake.url, model: 'gpt-test', timeoutMs: 5_000, kb }),
    })
    const ask = () => ai.reply({ conversationId: 1, history: [], unanswered: [{ direction: 'in', text: 'tem festa do pijama na loja?' }], currentDepartment: undefined })
    await ask()
    const answer = 'Sim, toda sexta-feira às 19h, para crianças de 6 a 10 anos.'
    expect(fake.requests[0]!.body.messages[0].content).not.toContain(answer)
    await suite.database.db.execute(
      sql`insert into knowledge_additions (department, question, answer) values ('comercial', 'Tem festa do pijama na loja?', ${answer})`,
    )
    await ask()
    expect(fake.requests[1]!.body.messages[0].content).toContain(answer)
  })

  it('keeps the learning run due in the database when the wake-up fails, and the reconciler sends it again', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    await h.turn(id)
    h.dispatcher.failWith = new Error('redis is down')
    await createLearningProducer({ db: suite.database.db, dispatcher: h.dispatcher, log: silent, now: h.clock.now }).enqueueLearning(id)
    h.dispatcher.failWith = undefined
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'learning-tasks')).toEqual([])
    expect((await record(id))?.due_at).not.toBeNull()

    h.clock.advance(60_000)
    const reconciler = createReconciler({ db: suite.database.db, dispatcher: h.dispatcher, log: silent, afterMs: 30_000, intervalMs: 3_600_000, now: h.clock.now })
    try {
      await reconciler.runOnce()
    } finally {
      await reconciler.close()
    }
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'learning-tasks')).toEqual([{ queue: 'learning-tasks', conversationId: id }])

    await learn(h, id)
    expect(await record(id)).toMatchObject({ runs: 1, due_at: null })
  })

  it('exports and erases what learning holds about a customer; an approved addition stays', async () => {
    const h = await suite.harness()
    const id = await h.burst('qual a cor do cavalo branco de napoleão?')
    await h.turn(id)
    await learn(h, id)
    const [group] = await groupsAbout('napoleão')
    await approveProposal(suite.database.db, { id: group!.id, question: 'Qual a cor do cavalo branco?', answer: 'Branco.', department: 'comercial', now: h.clock.now() })
    const privacy = createPrivacy({ db: suite.database.db, dispatcher: h.dispatcher, log: silent })

    const exported = await privacy.exportCustomer({ kind: 'wa', waId: h.customer })
    const rows = (table: string) => exported.sections.find((s) => s.table === table)!.rows
    expect(rows('learning_records')).toHaveLength(1)
    expect(rows('learning_proposal_sources')).toMatchObject([{ question: 'qual a cor do cavalo branco de napoleão?' }])

    const erased = await privacy.eraseCustomer({ kind: 'wa', waId: h.customer })
    expect(erased.removed).toMatchObject({ learning_records: 1, learning_proposal_sources: 1 })
    expect(await groupsAbout('napoleão')).toEqual([])
    const additions = await queryRows<{ question: string; proposal_id: string | null }>(
      suite.database.db,
      sql`select question, proposal_id from knowledge_additions where answer = 'Branco.'`,
    )
    // The group's key is the words of their question: it goes, approved or not. The reviewed
    // addition stays, unlinked.
    expect(erased.removed).toMatchObject({ learning_proposals: 1 })
    expect(additions).toEqual([{ question: 'Qual a cor do cavalo branco?', proposal_id: null }])
    const [left] = await queryRows<{ n: number }>(suite.database.db, sql`select count(*)::int as n from learning_proposals where id = ${group!.id}`)
    expect(left!.n).toBe(0)
  })

  it('is due when a turn resolves the conversation (the customer closes), once per resolution', async () => {
    const h = await suite.harness()
    const id = await h.burst('como faço pra pegar a segunda via do boleto?')
    await h.turn(id)
    expect(await record(id)).toBeUndefined()
    await h.burst('obrigado, era só isso')
    await h.turn(id)
    expect((await record(id))?.due_at).not.toBeNull()
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'learning-tasks')).toEqual([{ queue: 'learning-tasks', conversationId: id }])
  })

  it('does nothing for a conversation that no longer exists', async () => {
    const h = await suite.harness()
    await expect(learn(h, 987_654_321)).resolves.toBeUndefined()
  })
})
