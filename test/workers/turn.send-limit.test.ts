import { describe, expect, it } from 'vitest'
import { splitReply } from '../../src/domain/index.js'
import { createLocalSendLimiter, withSendLimiter } from '../../src/whatsapp/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, longReply, outboxRows, sentText, useWorkerSuite } from './harness.js'

describe.each(ENGINES)('turn under the per-number send limiter (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  it('steps back without spending an attempt when the number\'s next slot is too far, then sends the rest', async () => {
    const reply = longReply(2)
    const parts = splitReply(reply)
    const { fake, ai } = await suite.openAi()
    fake.script({ json: { department: 'suporte', reply, resolved: false, handoff: false, confidence: 0.9 } })
    const h = await suite.harness(ai)
    // One send a second on a clock the test moves, and no waiting: the 2nd part is held back.
    let limiterMs = 0
    const limiter = createLocalSendLimiter({ rates: { perSecond: 1, burst: 1, overrides: {} }, now: () => limiterMs })
    h.deps.whatsapp = withSendLimiter(h.deps.whatsapp, limiter, { maxWaitMs: 0 })
    const id = await h.burst('me explica o plano inteiro')
    const before = await conversationRow(suite.database, id)

    const result = await h.turn(id, { attempt: 1 })

    expect(result).toMatchObject({ retryAt: new Date(h.clock.now().getTime() + 1_000) })
    expect(h.sends().map(sentText)).toEqual([parts[0]])
    const after = await conversationRow(suite.database, id)
    expect(after.turnAttempts).toBe(before.turnAttempts)
    expect(after.leaseUntil.getTime()).toBe(0)
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['sent', 'pending'])

    limiterMs += 1_000
    h.clock.jumpTo((result as { retryAt: Date }).retryAt)
    expect(await h.turn(id, { attempt: 1 })).toBeUndefined()
    expect(h.sends().map(sentText)).toEqual(parts)
    expect(fake.requests).toHaveLength(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
  })
})
