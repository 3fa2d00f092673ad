import { describe, expect, it } from 'vitest'
import { AiProviderError, QueueUnavailableError } from '../../src/errors.js'
import { ENGINES } from '../helpers/db.js'
import { graphError } from '../helpers/fake-graph.js'
import type { FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, gateFirstReply, outboxRows, sentText, useWorkerSuite, type Harness } from './harness.js'

describe.each(ENGINES)('turn apology (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let openai: FakeOpenAi | undefined

  /** A harness whose AI is the fake OpenAI server answering `status` to every request. */
  async function failingAi(status: number): Promise<Harness> {
    const { fake, ai } = await suite.openAi()
    openai = fake
    openai.script(...Array.from({ length: 10 }, () => ({ status })))
    return suite.harness(ai)
  }

  async function rejection(p: Promise<unknown>): Promise<unknown> {
    return p.then(() => undefined, (err: unknown) => err)
  }

  it('rethrows a retryable AI failure before the last attempt, sending nothing and freeing the lease', async () => {
    const h = await failingAi(500)
    const id = await h.burst(['oi', 'minha internet caiu'])

    const err = await rejection(h.turn(id, { attempt: 1, maxAttempts: 3 }))

    expect(err).toBeInstanceOf(AiProviderError)
    expect(err).toMatchObject({ retryable: true })
    expect(h.graph.requests.filter((r) => r.kind === 'send')).toHaveLength(0)
    const c = await conversationRow(suite.database, id)
    expect(c).toMatchObject({ status: 'open', answeredSeq: 0, turnAttempts: 1 })
    expect(c.turnDueAt).not.toBeNull()
    expect(c.leaseUntil.getTime()).toBe(0)
  })

  it('sends the apology on the last attempt when the AI fails every time, and hands off', async () => {
    const h = await failingAi(500)
    const id = await h.burst(['oi', 'minha internet caiu'])

    await expect(h.turn(id, { attempt: 1, maxAttempts: 3 })).rejects.toBeInstanceOf(AiProviderError)
    await expect(h.turn(id, { attempt: 2, maxAttempts: 3 })).rejects.toBeInstanceOf(AiProviderError)
    expect(h.sends()).toHaveLength(0)
    expect(await h.turn(id, { attempt: 3, maxAttempts: 3 })).toBeUndefined()

    expect(openai!.requests).toHaveLength(3)
    expect(h.sends().map(sentText)).toEqual([suite.kb.messages.apology])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 2, turnDueAt: null, turnAttempts: 0 })
    expect(await outboxRows(suite.database, id)).toMatchObject([{ seq: 2, status: 'sent', text: suite.kb.messages.apology }])
  })

  it('counts attempts in the database: an emptied Redis that restarts at attempt 1 still ends in the apology', async () => {
    const h = await failingAi(503)
    const id = await h.burst('minha internet caiu')

    await expect(h.turn(id, { attempt: 1, maxAttempts: 3 })).rejects.toBeInstanceOf(AiProviderError)
    await expect(h.turn(id, { attempt: 1, maxAttempts: 3 })).rejects.toBeInstanceOf(AiProviderError)
    expect((await conversationRow(suite.database, id)).turnAttempts).toBe(2)
    expect(await h.turn(id, { attempt: 1, maxAttempts: 3 })).toBeUndefined()

    expect(h.sends().map(sentText)).toEqual([suite.kb.messages.apology])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null })
  })

  it('sends the apology on the first attempt when the AI refuses for good (401)', async () => {
    const h = await failingAi(401)
    const id = await h.burst('oi')

    expect(await h.turn(id, { attempt: 1, maxAttempts: 4 })).toBeUndefined()

    expect(openai!.requests).toHaveLength(1)
    expect(h.sends().map(sentText)).toEqual([suite.kb.messages.apology])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null })
  })

  it('replaces the unsent parts of a reply with the apology when sending fails on the last attempt', async () => {
    const { ai } = await suite.openAi()
    const h = await suite.harness(ai)
    let sends = 0
    h.onGraph((r) => (r.kind === 'send' && ++sends === 1 ? graphError(503, 1, 'Service temporarily unavailable') : undefined))
    const id = await h.burst('oi')

    expect(await h.turn(id, { attempt: 1, maxAttempts: 1 })).toBeUndefined()

    expect(h.sends().map(sentText)).toEqual([suite.kb.messages.apology])
    expect((await outboxRows(suite.database, id)).map((r) => [r.part, r.status])).toEqual([[0, 'superseded'], [1000, 'sent']])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null })
  })

  it('does not turn a sent reply into a hand-off when waking the follow-up fails on the last attempt', async () => {
    const gate = gateFirstReply((await suite.openAi()).ai)
    const h = await suite.harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const running = h.turn(id, { attempt: 1, maxAttempts: 1 })
    await gate.entered
    const [late] = await h.receive('e o boleto?')
    h.dispatcher.failWith = new QueueUnavailableError('redis is down')
    gate.release()
    expect(await running).toBeUndefined()

    // The reply went out; the late message keeps its due time for the reconciler to wake.
    expect(h.sends().map(sentText)).toEqual(['echo: minha internet caiu'])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', answeredSeq: 1, lastSeq: 2, turnDueAt: late!.turnDueAt })
    expect((await outboxRows(suite.database, id)).map((r) => [r.seq, r.status])).toEqual([[1, 'sent']])
  })

  it('covers the messages and hands off even when the apology cannot be sent either', async () => {
    const h = await failingAi(401)
    h.onGraph((r) => (r.kind === 'send' ? graphError(503, 1, 'Service temporarily unavailable') : undefined))
    const id = await h.burst('oi')

    expect(await h.turn(id, { attempt: 1, maxAttempts: 4 })).toBeUndefined()

    expect(h.sends()).toHaveLength(0)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null })
  })
})
