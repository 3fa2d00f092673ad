import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { beginSend, completeTurn, openTurn, prepareReply, queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { DEBOUNCE, LEASE_MS, outboxRows, useWorkerSuite } from '../workers/harness.js'

// Invariant 6 at the store: the turn's last part is marked sent in the same round trip that
// completes the turn, so a turn that lost its lease meanwhile must still record the send,
// or the next turn would send that part again.
describe.each(ENGINES)('completeTurn (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  it('marks the last part sent even when the token went stale, and then completes nothing', async () => {
    const h = await suite.harness()
    const conversationId = await h.burst('oi')
    const db = suite.database.db
    const opened = await openTurn(db, { conversationId, now: h.clock.now(), leaseMs: LEASE_MS, historyLimit: 20 })
    const claim = opened!.claim!
    const seq = claim.unanswered.at(-1)!.seq
    const [part] = await prepareReply(db, {
      conversationId, token: claim.token, seq, parts: ['Olá!'],
      meta: { department: undefined, resolved: false, handoff: false }, now: h.clock.now(),
    })
    expect(await beginSend(db, { partId: part!.id, conversationId, token: claim.token, now: h.clock.now() })).toEqual({ kind: 'begun', attempt: 1 })
    // Another turn takes over while this one is sending.
    await queryRows(db, sql`update conversations set turn_token = turn_token + 1 where id = ${conversationId} returning id`)

    const done = await completeTurn(db, {
      conversationId, token: claim.token, answeredSeq: seq, department: undefined, status: 'open',
      now: h.clock.now(), debounce: DEBOUNCE, sent: { partId: part!.id, wamid: 'wamid.SENT.1', attempt: 1 },
    })

    expect(done).toBeUndefined()
    expect(await outboxRows(suite.database, conversationId)).toMatchObject([{ id: part!.id, status: 'sent', wamid: 'wamid.SENT.1' }])
    const [c] = await queryRows<{ answered_seq: number }>(db, sql`select answered_seq from conversations where id = ${conversationId}`)
    expect(c!.answered_seq).toBeLessThan(seq)
  })
  it('writes the idle timer with the completion: a time sets it, null clears it, undefined leaves it, a stale token writes nothing', async () => {
    const h = await suite.harness()
    const conversationId = await h.burst('oi')
    const db = suite.database.db
    const idleDue = async () => {
      const [r] = await queryRows<{ ms: number | null }>(db, sql`select (extract(epoch from idle_due_at) * 1000)::float8 as ms from conversations where id = ${conversationId}`)
      return r!.ms
    }
    const complete = async (idleDueAt: Date | null | undefined, stale = false) => {
      const opened = await openTurn(db, { conversationId, now: h.clock.now(), leaseMs: LEASE_MS, historyLimit: 20 })
      const token = opened?.claim?.token ?? (await queryRows<{ t: string }>(db, sql`select turn_token as t from conversations where id = ${conversationId}`)).map((r) => Number(r.t))[0]!
      const answeredSeq = opened?.claim?.unanswered.at(-1)?.seq ?? 1
      return completeTurn(db, {
        conversationId, token: stale ? token - 1 : token, answeredSeq, department: undefined, status: 'open',
        now: h.clock.now(), debounce: DEBOUNCE, idleDueAt,
      })
    }
    const at = new Date(h.clock.now().getTime() + 30 * 60_000)

    expect(await complete(at)).toBeDefined()
    expect(await idleDue()).toBe(at.getTime())
    expect(await complete(undefined)).toBeDefined()
    expect(await idleDue()).toBe(at.getTime())
    expect(await complete(new Date(at.getTime() + 1_000), true)).toBeUndefined()
    expect(await idleDue()).toBe(at.getTime())
    expect(await complete(null)).toBeDefined()
    expect(await idleDue()).toBeNull()
  })
})
