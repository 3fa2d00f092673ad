import { describe, expect, it } from 'vitest'
import { createReconciler } from '../../src/dispatch/index.js'
import { beginOutboundSend, claimOutbox, queueAgentMessage } from '../../src/store/index.js'
import { createProcessors } from '../../src/workers/index.js'
import type { WakeUpOf } from '../../src/queues/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, jobContext, outboxRows, silent, useWorkerSuite, type Harness } from './harness.js'

const AFTER_MS = 30_000

describe.each(ENGINES)("the conversation's ai-response job sends its outbox (%s)", (engine) => {
  const suite = useWorkerSuite(engine)

  /** A conversation the bot answered once; a customer message the agent can reply to. */
  async function answered(h: Harness): Promise<number> {
    const id = await h.burst('oi')
    await h.turn(id)
    expect(h.sends()).toHaveLength(1)
    return id
  }

  /** One reconciler pass at `afterMs` from now, its wake-ups for this conversation. */
  async function reconcile(h: Harness, id: number): Promise<Array<WakeUpOf<'ai-response'>>> {
    h.clock.advance(AFTER_MS + 1_000)
    const before = h.dispatcher.wakeUps.length
    const r = createReconciler({ db: suite.database.db, dispatcher: h.dispatcher, log: silent, afterMs: AFTER_MS, intervalMs: 3_600_000, now: h.clock.now })
    try {
      await r.runOnce()
    } finally {
      await r.close()
    }
    return h.dispatcher.wakeUps.slice(before).filter((w): w is WakeUpOf<'ai-response'> => w.queue === 'ai-response' && w.conversationId === id)
  }

  it("sends an agent's message whose wake-up was lost (a crash after the commit, an emptied Redis) once, from the reconciler's wake-up", async () => {
    const h = await suite.harness()
    const id = await answered(h)
    const queued = await queueAgentMessage(suite.database.db, { conversationId: id, content: { type: 'text', text: 'Oi, aqui é a Carla' }, agent: 'Carla', now: h.clock.now() })
    expect(queued.kind).toBe('queued')

    const [wakeUp] = await reconcile(h, id)
    expect(wakeUp).toBeDefined()
    const job = createProcessors(h.deps)['ai-response']!
    expect(await job(wakeUp!, jobContext())).toBeUndefined()
    // The same wake-up delivered twice (a revived job beside a rebuilt one) sends nothing more.
    expect(await job(wakeUp!, jobContext())).toBeUndefined()

    const sent = h.sends().slice(1)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body).toMatchObject({ type: 'text', text: { body: 'Oi, aqui é a Carla' }, biz_opaque_callback_data: `out:${(queued as { outboxId: number }).outboxId}` })
    expect((await outboxRows(suite.database, id, 'outbound')).at(-1)).toMatchObject({ kind: 'agent', status: 'sent' })
    // Sent and settled: the reconciler has nothing more to wake.
    expect(await reconcile(h, id)).toEqual([])
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff' })
  })

  it('sends the agent messages of exactly the conversations that have one when their jobs run at once (their outbox read is shared)', async () => {
    const harnesses = [await suite.harness(), await suite.harness(), await suite.harness()]
    const ids = [] as number[]
    for (const h of harnesses) ids.push(await answered(h))
    const h = harnesses[0]!
    for (const id of [ids[0]!, ids[2]!]) {
      const queued = await queueAgentMessage(suite.database.db, { conversationId: id, content: { type: 'text', text: `Oi, conversa ${id}` }, now: h.clock.now() })
      expect(queued.kind).toBe('queued')
    }
    // One processor, as in a worker: the three jobs start together.
    const job = createProcessors(h.deps)['ai-response']!
    await Promise.all(ids.map((conversationId) => job({ queue: 'ai-response', conversationId, runAt: h.clock.now() }, jobContext())))

    const sent = h.sends().slice(1).map((r) => (r.body as { text: { body: string } }).text.body)
    expect(sent.sort()).toEqual([`Oi, conversa ${ids[0]}`, `Oi, conversa ${ids[2]}`].sort())
    for (const id of [ids[0]!, ids[2]!]) expect((await outboxRows(suite.database, id, 'outbound')).at(-1)).toMatchObject({ kind: 'agent', status: 'sent' })
    expect((await outboxRows(suite.database, ids[1]!, 'outbound')).map((r) => r.kind)).not.toContain('agent')
  })

  it('never resends a row a crashed sender left sending: it becomes unknown', async () => {
    const h = await suite.harness()
    const id = await answered(h)
    const queued = await queueAgentMessage(suite.database.db, { conversationId: id, content: { type: 'text', text: 'Oi' }, now: h.clock.now() })
    const rowId = (queued as { outboxId: number }).outboxId
    // A sender claims the outbox and begins the send, then dies before Meta answers.
    const claim = await claimOutbox(suite.database.db, { conversationId: id, now: h.clock.now(), leaseMs: 10_000 })
    expect(await beginOutboundSend(suite.database.db, { rowId, conversationId: id, token: claim!.token, now: h.clock.now() })).toBeDefined()
    h.clock.advance(20_000)

    const job = createProcessors(h.deps)['ai-response']!
    await job({ queue: 'ai-response', conversationId: id, runAt: h.clock.now() }, jobContext())
    expect(h.sends()).toHaveLength(1)
    expect((await outboxRows(suite.database, id, 'outbound')).at(-1)).toMatchObject({ id: rowId, status: 'unknown' })
  })
})
