import { describe, expect, it } from 'vitest'
import { ENGINES } from '../helpers/db.js'
import type { FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, outboxRows, useWorkerSuite, type Harness } from './harness.js'

const HOUR_MS = 60 * 60 * 1000

describe.each(ENGINES)('turn: 24 h window and hand-off (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let openai: FakeOpenAi | undefined

  /** The fake OpenAI server as the AI, so a test can tell whether the AI was asked at all. */
  async function harness(): Promise<Harness> {
    const { fake, ai } = await suite.openAi()
    openai = fake
    return suite.harness(ai)
  }

  it('hands off without replying when the message is older than 24 hours (a late redelivery)', async () => {
    const h = await harness()
    const id = await h.burst('oi, alguém aí?', { sentAt: new Date(Date.now() - 25 * HOUR_MS) })

    expect(await h.turn(id)).toBeUndefined()

    expect(h.graph.requests.filter((r) => r.kind === 'send')).toHaveLength(0)
    expect(openai!.requests).toHaveLength(0)
    expect(await outboxRows(suite.database, id)).toEqual([])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null, turnAttempts: 0 })
  })

  it('replies to a message just inside the 24 hour window', async () => {
    const h = await harness()
    const id = await h.burst('oi, alguém aí?', { sentAt: new Date(Date.now() - 23 * HOUR_MS) })

    expect(await h.turn(id)).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', answeredSeq: 1 })
  })

  it('covers new messages of a handed-off conversation without replying', async () => {
    const h = await harness()
    openai!.script({ json: { department: 'suporte', reply: 'Vou chamar um atendente.', resolved: false, handoff: true, confidence: 0.9 } })
    const id = await h.burst('quero falar com uma pessoa')
    await h.turn(id)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1 })
    expect(h.sends()).toHaveLength(1)

    const next = await h.burst(['ainda estou esperando', 'alô?'])
    expect(next).toBe(id)
    expect(await h.turn(id)).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(openai!.requests).toHaveLength(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', answeredSeq: 3, turnDueAt: null })
  })
})
