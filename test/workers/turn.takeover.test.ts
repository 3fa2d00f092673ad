import { describe, expect, it } from 'vitest'
import { createLocalProvider } from '../../src/ai/index.js'
import { handOffConversation, queueOutbound, releaseConversation, resolveConversation } from '../../src/store/index.js'
import { createOutboxSender } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, gateFirstReply, jobContext, outboxRows, sentText, useWorkerSuite, type Harness } from './harness.js'

// Invariant 6: hand-off, an agent's message, release and resolve bump the turn token, so a
// bot turn in the middle of its AI call can no longer speak over a person.
describe.each(ENGINES)('turn taken over by a person (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  async function agentSays(h: Harness, conversationId: number, text: string, key?: string) {
    return queueOutbound(suite.database.db, {
      conversationId, kind: 'agent', content: { type: 'text', text }, meta: { agent: 'Carla' },
      idempotencyKey: key, takeOver: true, now: h.clock.now(),
    })
  }

  const drain = (h: Harness, conversationId: number) => createOutboxSender(h.deps)({ conversationId }, jobContext())

  it.each([
    ['a hand-off', (h: Harness, id: number) => handOffConversation(suite.database.db, id, h.clock.now())],
    ['an agent message', (h: Harness, id: number) => agentSays(h, id, 'Oi, aqui é a Carla.')],
    ['a resolve', (h: Harness, id: number) => resolveConversation(suite.database.db, id, h.clock.now())],
  ])('sends nothing from a bot turn whose token %s bumped during its AI call', async (_, takeOver) => {
    const gate = gateFirstReply(createLocalProvider(suite.kb))
    const h = await suite.harness(gate.ai)
    const id = await h.burst('minha internet caiu')
    const turn = h.turn(id)
    await gate.entered
    const before = await conversationRow(suite.database, id)

    await takeOver(h, id)
    expect((await conversationRow(suite.database, id)).turnToken).toBe(before.turnToken + 1)
    gate.release()
    expect(await turn).toBeUndefined()

    expect(h.sends()).toHaveLength(0)
    expect((await outboxRows(suite.database, id)).filter((r) => r.kind === 'reply')).toEqual([])
  })

  it('supersedes the bot reply stored before the hand-off, and a retried turn covers the messages without a reply', async () => {
    const h = await suite.harness()
    h.onGraph((r) => (r.kind === 'send' ? { status: 503, body: { error: { code: 2, message: 'Service temporarily unavailable' } } } : undefined))
    const id = await h.burst('minha internet caiu')
    await expect(h.turn(id, { attempt: 1 })).rejects.toThrow()
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['pending'])

    expect(await handOffConversation(suite.database.db, id, h.clock.now())).toMatchObject({ kind: 'done', status: 'handoff', previous: 'open' })
    h.onGraph(undefined)
    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()

    expect(h.sends()).toHaveLength(0)
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['superseded'])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null })
  })

  it('gives two agent messages and a bot reply in one conversation distinct rows, sent in the order written', async () => {
    const h = await suite.harness()
    const id = await h.burst('minha internet caiu')
    expect(await h.turn(id)).toBeUndefined()
    const first = await agentSays(h, id, 'Oi, aqui é a Carla.')
    const second = await agentSays(h, id, 'Já estou vendo o seu caso.')

    expect(await drain(h, id)).toBeUndefined()

    const rows = await outboxRows(suite.database, id, 'outbound')
    expect(rows.map((r) => [r.kind, r.outboundSeq, r.seq, r.part, r.status])).toEqual([
      ['reply', 1, 1, 0, 'sent'], ['agent', 2, 1, 0, 'sent'], ['agent', 3, 1, 0, 'sent'],
    ])
    expect([first, second]).toMatchObject([{ kind: 'queued', outboxId: rows[1]!.id }, { kind: 'queued', outboxId: rows[2]!.id }])
    const sends = h.sends()
    expect(sends.slice(1).map(sentText)).toEqual(['Oi, aqui é a Carla.', 'Já estou vendo o seu caso.'])
    expect(sends.map((s) => (s.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data)).toEqual(rows.map((r) => `out:${r.id}`))
  })

  it('never lets a newer bot reply supersede an agent message still waiting to be sent', async () => {
    const h = await suite.harness()
    const id = await h.burst('minha internet caiu')
    await agentSays(h, id, 'Oi, aqui é a Carla.')
    await releaseConversation(suite.database.db, id, h.clock.now())
    await h.burst('ainda sem sinal')
    expect(await h.turn(id)).toBeUndefined()

    const rows = await outboxRows(suite.database, id, 'outbound')
    expect(rows.map((r) => [r.kind, r.status])).toEqual([['agent', 'pending'], ['reply', 'sent']])
    expect(await drain(h, id)).toBeUndefined()
    expect((await outboxRows(suite.database, id, 'outbound')).map((r) => r.status)).toEqual(['sent', 'sent'])
  })

  it('does not answer, after a release, what the customer wrote while a person had the conversation', async () => {
    const h = await suite.harness()
    const id = await h.burst('quero falar com um atendente')
    await handOffConversation(suite.database.db, id, h.clock.now())
    await h.receive('alguém aí?')

    expect(await releaseConversation(suite.database.db, id, h.clock.now())).toMatchObject({ kind: 'done', status: 'open', previous: 'handoff' })
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', answeredSeq: 2, turnDueAt: null })
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(0)

    await h.burst('minha internet caiu')
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
  })

  it('refuses a release of a conversation the bot has and a resolve of a resolved one, changing nothing', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    const before = await conversationRow(suite.database, id)

    expect(await releaseConversation(suite.database.db, id, h.clock.now())).toEqual({ kind: 'wrongState', status: 'open' })
    expect(await resolveConversation(suite.database.db, id, h.clock.now())).toMatchObject({ kind: 'done', status: 'resolved' })
    expect(await resolveConversation(suite.database.db, id, h.clock.now())).toEqual({ kind: 'wrongState', status: 'resolved' })
    expect(await resolveConversation(suite.database.db, 999_999_999, h.clock.now())).toEqual({ kind: 'notFound' })
    expect((await conversationRow(suite.database, id)).turnToken).toBe(before.turnToken + 1)
  })
})
