import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createOpenAiProvider, loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, createHarness, outboxRows, type Harness } from './harness.js'

const HOUR_MS = 60 * 60 * 1000

describe.each(ENGINES)('turn: 24 h window and hand-off (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let kb: KnowledgeBase
  let h: Harness | undefined
  let openai: FakeOpenAi | undefined

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  afterEach(async () => {
    await h?.close()
    await openai?.close()
    h = openai = undefined
  })
  afterAll(async () => {
    await database.close()
    await t.drop()
  })

  /** The fake OpenAI server as the AI, so a test can tell whether the AI was asked at all. */
  async function harness(): Promise<Harness> {
    openai = await startFakeOpenAi()
    const ai = createOpenAiProvider({ apiKey: secret('sk-test'), baseURL: openai.url, model: 'gpt-test', timeoutMs: 5_000, kb })
    h = await createHarness(database, { ai, kb })
    return h
  }

  it('hands off without replying when the message is older than 24 hours (a late redelivery)', async () => {
    const h = await harness()
    const id = await h.burst('oi, alguém aí?', { sentAt: new Date(Date.now() - 25 * HOUR_MS) })

    expect(await h.turn(id)).toBeUndefined()

    expect(h.graph.requests.filter((r) => r.kind === 'send')).toHaveLength(0)
    expect(openai!.requests).toHaveLength(0)
    expect(await outboxRows(database, id)).toEqual([])
    expect(await conversationRow(database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1, turnDueAt: null, turnAttempts: 0 })
  })

  it('replies to a message just inside the 24 hour window', async () => {
    const h = await harness()
    const id = await h.burst('oi, alguém aí?', { sentAt: new Date(Date.now() - 23 * HOUR_MS) })

    expect(await h.turn(id)).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(await conversationRow(database, id)).toMatchObject({ status: 'open', answeredSeq: 1 })
  })

  it('covers new messages of a handed-off conversation without replying', async () => {
    const h = await harness()
    openai!.script({ json: { department: 'suporte', reply: 'Vou chamar um atendente.', resolved: false, handoff: true, confidence: 0.9 } })
    const id = await h.burst('quero falar com uma pessoa')
    await h.turn(id)
    expect(await conversationRow(database, id)).toMatchObject({ status: 'handoff', answeredSeq: 1 })
    expect(h.sends()).toHaveLength(1)

    const next = await h.burst(['ainda estou esperando', 'alô?'])
    expect(next).toBe(id)
    expect(await h.turn(id)).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(openai!.requests).toHaveLength(1)
    expect(await conversationRow(database, id)).toMatchObject({ status: 'handoff', answeredSeq: 3, turnDueAt: null })
  })
})
