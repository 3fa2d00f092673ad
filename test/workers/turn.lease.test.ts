import { describe, expect, it } from 'vitest'
import { createLocalProvider } from '../../src/ai/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, gateFirstReply, LEASE_MS, outboxRows, useWorkerSuite } from './harness.js'

describe.each(ENGINES)('turn lease (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  it('delays a second turn while the lease is held, and the second sends nothing', async () => {
    const gate = gateFirstReply(createLocalProvider(suite.kb))
    const h = await suite.harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const first = h.turn(id)
    await gate.entered
    const held = await conversationRow(suite.database, id)
    const second = await h.turn(id)

    expect(second).toMatchObject({ retryAt: held.leaseUntil })
    expect(held.leaseUntil.getTime()).toBe(h.clock.now().getTime() + LEASE_MS)
    expect(await conversationRow(suite.database, id)).toMatchObject({ turnToken: held.turnToken, turnAttempts: 1 })
    gate.release()
    expect(await first).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
  })

  it('stops a stalled turn whose lease expired from sending after another turn took over', async () => {
    const gate = gateFirstReply(createLocalProvider(suite.kb))
    const h = await suite.harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const stalled = h.turn(id)
    await gate.entered
    const stalledToken = (await conversationRow(suite.database, id)).turnToken
    // The stalled worker's event loop "sleeps" past its lease: another turn may claim.
    h.clock.advance(LEASE_MS + 1)
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
    const afterTakeover = await conversationRow(suite.database, id)
    expect(afterTakeover).toMatchObject({ answeredSeq: 1, turnDueAt: null, turnToken: stalledToken + 1 })

    gate.release()
    expect(await stalled).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(await conversationRow(suite.database, id)).toEqual(afterTakeover)
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['sent'])
  })

  it('lets a stalled turn that wakes before anyone took over store its reply but not send it', async () => {
    const gate = gateFirstReply(createLocalProvider(suite.kb))
    const h = await suite.harness(gate.ai)
    const id = await h.burst('minha internet caiu')

    const stalled = h.turn(id)
    await gate.entered
    h.clock.advance(LEASE_MS + 1)
    gate.release()
    expect(await stalled).toBeUndefined()

    expect(h.sends()).toHaveLength(0)
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['pending'])
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 0 })

    // The next turn resumes from the stored reply: sent once, the AI not asked again.
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['sent'])
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
  })

  it('sends exactly one reply when several processors run the same conversation at once', async () => {
    const h = await suite.harness(createLocalProvider(suite.kb))
    const id = await h.burst(['oi', 'minha internet caiu'])

    const results = await Promise.all(Array.from({ length: 6 }, () => h.turn(id)))

    expect(h.sends()).toHaveLength(1)
    expect(results.filter((r) => r === undefined).length).toBeGreaterThanOrEqual(1)
    // The losers either saw the lease held or lost the claim race, or woke once the turn was done.
    for (const r of results) if (r !== undefined) expect(r.retryAt).toBeInstanceOf(Date)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 2, turnDueAt: null, turnAttempts: 0, turnToken: 1 })
    expect(await outboxRows(suite.database, id)).toHaveLength(1)
  })
})
