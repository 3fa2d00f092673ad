import { describe, expect, it } from 'vitest'
import { WhatsAppApiError } from '../../src/errors.js'
import { countUnknownSends, queueOutbound } from '../../src/store/index.js'
import { createOutboxSender } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { graphError } from '../helpers/fake-graph.js'
import { jobContext, outboxRows, sentText, SEND_TIMEOUT_MS, useWorkerSuite, type Harness } from './harness.js'

/** The sender's lease, as createOutboxSender derives it. */
const OUTBOX_LEASE_MS = 4 * SEND_TIMEOUT_MS + 5_000

describe.each(ENGINES)('outbox sender (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  async function agentSays(h: Harness, conversationId: number, text: string) {
    const r = await queueOutbound(suite.database.db, {
      conversationId, kind: 'agent', content: { type: 'text', text }, takeOver: true, now: h.clock.now(),
    })
    return (r as { outboxId: number }).outboxId
  }
  const drain = (h: Harness, conversationId: number) => createOutboxSender(h.deps)({ conversationId }, jobContext())

  it('sends a row once when a retry follows a failed send, and the rows after it wait their turn', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    await agentSays(h, id, 'Primeira')
    await agentSays(h, id, 'Segunda')
    h.graph.failNext(graphError(500, 1, 'An unknown error occurred'))

    await expect(drain(h, id)).rejects.toBeInstanceOf(WhatsAppApiError)
    expect((await outboxRows(suite.database, id, 'outbound')).map((r) => [r.status, r.attempts])).toEqual([['pending', 1], ['pending', 0]])

    expect(await drain(h, id)).toBeUndefined()
    expect(await drain(h, id)).toBeUndefined()
    expect(h.sends().map(sentText)).toEqual(['Primeira', 'Segunda'])
    expect((await outboxRows(suite.database, id, 'outbound')).map((r) => [r.status, r.attempts])).toEqual([['sent', 2], ['sent', 1]])
  })

  it('marks a row Meta refuses for good failed and sends the next', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    await agentSays(h, id, 'Primeira')
    await agentSays(h, id, 'Segunda')
    h.graph.failNext(graphError(400, 131047, 'Re-engagement message'))

    expect(await drain(h, id)).toBeUndefined()

    expect((await outboxRows(suite.database, id, 'outbound')).map((r) => r.status)).toEqual(['failed', 'sent'])
    expect(h.sends().map(sentText)).toEqual(['Segunda'])
  })

  it('steps back on a 130429 rate limit, keeping the row pending', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    await agentSays(h, id, 'Primeira')
    h.graph.failNext(graphError(400, 130429, 'Rate limit hit'))

    expect(await drain(h, id)).toMatchObject({ reason: expect.stringMatching(/rate/) })
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['pending'])
    expect(await drain(h, id)).toBeUndefined()
    expect(h.sends().map(sentText)).toEqual(['Primeira'])
  })

  it('never resends a row a dead sender left sending: it is unknown until its status webhook settles it', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    const rowId = await agentSays(h, id, 'Oi, aqui é a Carla.')
    const cloud = h.deps.whatsapp
    let accepted!: (wamid: string) => void
    const acceptedByMeta = new Promise<string>((resolve) => (accepted = resolve))
    h.deps.whatsapp = { ...cloud, send: async (input) => {
      accepted((await cloud.send(input)).wamid)
      return new Promise<never>(() => {}) // the process dies here: the promise never settles
    } }
    void drain(h, id)
    const wamid = await acceptedByMeta
    h.deps.whatsapp = cloud

    // While the dead sender's lease lasts, nobody else sends.
    expect(await drain(h, id)).toMatchObject({ reason: expect.stringMatching(/lease/) })
    h.clock.advance(OUTBOX_LEASE_MS + 1)
    expect(await drain(h, id)).toBeUndefined()

    expect(await outboxRows(suite.database, id)).toMatchObject([{ id: rowId, status: 'unknown', attempts: 1 }])
    expect(h.sends()).toHaveLength(1)
    expect(await countUnknownSends(suite.database.db, { conversationId: id })).toBe(1)

    await h.receiveStatus({ wamid, status: 'read', outboxId: rowId })
    expect(await outboxRows(suite.database, id)).toMatchObject([{ status: 'read', wamid }])
    expect(await countUnknownSends(suite.database.db, { conversationId: id })).toBe(0)
  })
})
