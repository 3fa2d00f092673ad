import { describe, expect, it } from 'vitest'
import { splitReply } from '../../src/domain/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { ENGINES } from '../helpers/db.js'
import { graphError } from '../helpers/fake-graph.js'
import type { FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, longReply, outboxRows, sentText, useWorkerSuite, type Harness } from './harness.js'

describe.each(ENGINES)('turn outbox (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let openai: FakeOpenAi | undefined

  /** A harness whose AI answers `reply` (fake OpenAI server), counting AI requests. */
  async function harness(reply: string): Promise<Harness> {
    const { fake, ai } = await suite.openAi()
    openai = fake
    openai.script({ json: { department: 'suporte', reply, resolved: false, handoff: false, confidence: 0.9 } })
    return suite.harness(ai)
  }

  /** Fails the n-th send request (1-based) with `answer`; every other send is accepted. */
  function failSend(h: Harness, n: number, answer: ReturnType<typeof graphError>) {
    let sends = 0
    h.onGraph((r) => (r.kind === 'send' && ++sends === n ? answer : undefined))
  }

  async function rejection(p: Promise<unknown>): Promise<unknown> {
    return p.then(() => undefined, (err: unknown) => err)
  }

  it('never sends a sent part again when a turn is retried after the 2nd part failed', async () => {
    const reply = longReply(3)
    const parts = splitReply(reply)
    const h = await harness(reply)
    failSend(h, 2, graphError(500, 1, 'An unknown error occurred'))
    const id = await h.burst('me explica o plano inteiro')

    const err = await rejection(h.turn(id, { attempt: 1 }))
    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ retryable: true, httpStatus: 500 })
    expect(h.sends().map(sentText)).toEqual([parts[0]])
    expect((await outboxRows(suite.database, id)).map((r) => [r.part, r.status])).toEqual([[0, 'sent'], [1, 'pending'], [2, 'pending']])
    const between = await conversationRow(suite.database, id)
    expect(between).toMatchObject({ answeredSeq: 0, turnAttempts: 1 })
    expect(between.leaseUntil.getTime()).toBe(0) // released: the retry need not wait for the lease

    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()

    expect(h.sends().map(sentText)).toEqual(parts)
    expect(openai!.requests).toHaveLength(1)
    const rows = await outboxRows(suite.database, id)
    expect(rows.map((r) => [r.part, r.status, r.attempts])).toEqual([[0, 'sent', 1], [1, 'sent', 2], [2, 'sent', 1]])
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null, turnAttempts: 0, status: 'open' })
  })

  it('replaces the unsent parts when the retried turn also answers a newer message, keeping the sent part', async () => {
    const reply = longReply(3)
    const parts = splitReply(reply)
    const h = await harness(reply)
    openai!.script({ json: { department: 'suporte', reply: 'Resposta nova.', resolved: false, handoff: false, confidence: 0.9 } })
    failSend(h, 2, graphError(500, 1, 'An unknown error occurred'))
    const id = await h.burst('me explica o plano inteiro')
    await expect(h.turn(id, { attempt: 1 })).rejects.toBeInstanceOf(WhatsAppApiError)

    await h.burst('e quanto custa?')
    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()

    expect(h.sends().map(sentText)).toEqual([parts[0], 'Resposta nova.'])
    expect((await outboxRows(suite.database, id)).map((r) => [r.seq, r.part, r.status])).toEqual([
      [1, 0, 'sent'], [1, 1, 'superseded'], [1, 2, 'superseded'], [2, 0, 'sent'],
    ])
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 2, turnDueAt: null })
  })

  it('does not retry a send Meta refuses as outside the 24 h window (131047)', async () => {
    const h = await harness('Olá! Como posso ajudar?')
    h.onGraph((r) => (r.kind === 'send' ? graphError(400, 131047, 'Re-engagement message') : undefined))
    const id = await h.burst('oi')

    // Not the last attempt, yet the turn ends: trying again would fail the same way.
    expect(await h.turn(id, { attempt: 1, maxAttempts: 4 })).toBeUndefined()

    const attempted = h.graph.requests.filter((r) => r.kind === 'send')
    expect(attempted.every((r) => r.status === 400)).toBe(true)
    const rows = await outboxRows(suite.database, id)
    expect(rows.find((r) => r.part === 0)).toMatchObject({ status: 'failed', attempts: 1 })
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null })
    expect(openai!.requests).toHaveLength(1)

    // Woken again, nothing is left to do: no second try at the refused part.
    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()
    expect(h.graph.requests.filter((r) => r.kind === 'send')).toHaveLength(attempted.length)
  })

  it('comes back after a 130429 rate limit without burning an attempt', async () => {
    const h = await harness('Olá! Como posso ajudar?')
    failSend(h, 1, graphError(400, 130429, 'Rate limit hit'))
    const id = await h.burst('oi')
    const before = await conversationRow(suite.database, id)

    const result = await h.turn(id, { attempt: 1 })

    expect(result).toMatchObject({ retryAt: new Date(h.clock.now().getTime() + 1_000) })
    expect(h.sends()).toHaveLength(0)
    const after = await conversationRow(suite.database, id)
    expect(after.turnAttempts).toBe(before.turnAttempts)
    expect(after.leaseUntil.getTime()).toBe(0)
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['pending'])

    h.clock.jumpTo((result as { retryAt: Date }).retryAt)
    expect(await h.turn(id, { attempt: 1 })).toBeUndefined()
    expect(h.sends().map(sentText)).toEqual(['Olá! Como posso ajudar?'])
    expect(openai!.requests).toHaveLength(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
  })

  it('does not count rate limits toward the apology: many in a row never end the turn', async () => {
    const h = await harness('Olá! Como posso ajudar?')
    let limited = 0
    h.onGraph((r) => (r.kind === 'send' && ++limited <= 5 ? graphError(400, 130429, 'Rate limit hit') : undefined))
    const id = await h.burst('oi')

    for (let i = 0; i < 5; i++) {
      const result = await h.turn(id, { attempt: 1, maxAttempts: 2 })
      expect(result).toMatchObject({ reason: expect.stringMatching(/rate/) })
      h.clock.jumpTo((result as { retryAt: Date }).retryAt)
    }
    expect(await h.turn(id, { attempt: 1, maxAttempts: 2 })).toBeUndefined()

    expect(h.sends().map(sentText)).toEqual(['Olá! Como posso ajudar?'])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', answeredSeq: 1 })
  })
})
