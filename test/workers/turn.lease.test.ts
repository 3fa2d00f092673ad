import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLocalProvider, loadKnowledgeBase, type AiProvider, type KnowledgeBase } from '../../src/ai/index.js'
import type { Database } from '../../src/store/index.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { conversationRow, createHarness, gateFirstReply, LEASE_MS, outboxRows, type Harness } from './harness.js'

describe.each(ENGINES)('turn lease (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  let kb: KnowledgeBase
  let h: Harness | undefined

  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  afterEach(async () => {
    await h?.close()
    h = undefined
  })
  afterAll(async () => {
    await database.close()
    await t.drop()
  })

  async function harness(ai: AiProvider): Promise<Harness> {
    h = await createHarness(database, { ai, kb })
    return h
  }

  it('delays a second turn while the lease is held, and the second sends nothing', async () => {
    const gate = gateFirstReply(createLocalProvider(kb))
    const h = await harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const first = h.turn(id)
    await gate.entered
    const held = await conversationRow(database, id)
    const second = await h.turn(id)

    expect(second).toMatchObject({ retryAt: held.leaseUntil })
    expect(held.leaseUntil.getTime()).toBe(h.clock.now().getTime() + LEASE_MS)
    expect(await conversationRow(database, id)).toMatchObject({ turnToken: held.turnToken, turnAttempts: 1 })
    gate.release()
    expect(await first).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
  })

  it('stops a stalled turn whose lease expired from sending after another turn took over', async () => {
    const gate = gateFirstReply(createLocalProvider(kb))
    const h = await harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const stalled = h.turn(id)
    await gate.entered
    const stalledToken = (await conversationRow(database, id)).turnToken
    // The stalled worker's event loop "sleeps" past its lease: another turn may claim.
    h.clock.advance(LEASE_MS + 1)
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
    const afterTakeover = await conversationRow(database, id)
    expect(afterTakeover).toMatchObject({ answeredSeq: 1, turnDueAt: null, turnToken: stalledToken + 1 })

    gate.release()
    expect(await stalled).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(await conversationRow(database, id)).toEqual(afterTakeover)
    expect((await outboxRows(database, id)).map((r) => r.status)).toEqual(['sent'])
  })

  it('lets a stalled turn that wakes before anyone took over store its reply but not send it', async () => {
    const gate = gateFirstReply(createLocalProvider(kb))
    const h = await harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const stalled = h.turn(id)
    await gate.entered
    h.clock.advance(LEASE_MS + 1)
    gate.release()
    expect(await stalled).toBeUndefined()

    expect(h.sends()).toHaveLength(0)
    expect((await outboxRows(database, id)).map((r) => r.status)).toEqual(['pending'])
    expect(await conversationRow(database, id)).toMatchObject({ answeredSeq: 0 })

    // The next turn resumes from the stored reply: sent once, the AI not asked again.
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
    expect((await outboxRows(database, id)).map((r) => r.status)).toEqual(['sent'])
    expect(await conversationRow(database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
  })

  it('sends exactly one reply when several processors run the same conversation at once', async () => {
    const h = await harness(createLocalProvider(kb))
    const id = await h.burst(['oi', 'minha internet caiu'])

    const results = await Promise.all(Array.from({ length: 6 }, () => h.turn(id)))

    expect(h.sends()).toHaveLength(1)
    expect(results.filter((r) => r === undefined).length).toBeGreaterThanOrEqual(1)
    // The losers either saw the lease held or lost the claim race, or woke once the turn was done.
    for (const r of results) if (r !== undefined) expect(r.retryAt).toBeInstanceOf(Date)
    expect(await conversationRow(database, id)).toMatchObject({ answeredSeq: 2, turnDueAt: null, turnAttempts: 0, turnToken: 1 })
    expect(await outboxRows(database, id)).toHaveLength(1)
  })
})
