import { describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { splitReply } from '../../src/domain/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { countUnknownSends } from '../../src/store/index.js'
import { createCloudClient } from '../../src/whatsapp/index.js'
import { ENGINES } from '../helpers/db.js'
import type { FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, LEASE_MS, longReply, outboxRows, sentText, useWorkerSuite, type Harness } from './harness.js'

// Invariant 6's one window: Meta accepted a part, and the worker died (or stalled) before
// the row said so. The part is `unknown`, never sent again; the status webhook settles it.
describe.each(ENGINES)('turn crash window (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let openai: FakeOpenAi | undefined

  async function harness(reply: string): Promise<Harness> {
    const { fake, ai } = await suite.openAi()
    openai = fake
    openai.script({ json: { department: 'suporte', reply, resolved: false, handoff: false, confidence: 0.9 } })
    return suite.harness(ai)
  }

  /** The first send reaches Meta, then the worker hangs until `resume` (a crash: it never does). */
  function stallAfterFirstSend(h: Harness) {
    const cloud = h.deps.whatsapp
    let resume!: (outcome: { crash: Error } | 'wake') => void
    const stalled = new Promise<{ crash: Error } | 'wake'>((resolve) => (resume = resolve))
    let accepted!: (wamid: string) => void
    const acceptedByMeta = new Promise<string>((resolve) => (accepted = resolve))
    let calls = 0
    h.deps.whatsapp = { ...cloud, sendText: async (input) => {
      const result = await cloud.sendText(input)
      if (++calls > 1) return result
      accepted(result.wamid)
      const outcome = await stalled
      if (outcome !== 'wake') throw outcome.crash
      return result
    } }
    return { acceptedByMeta, resume }
  }

  it('leaves a part Meta accepted before the worker died unknown, never sends it again, and the status webhook settles it', async () => {
    const h = await harness('Olá! Como posso ajudar?')
    const { acceptedByMeta, resume } = stallAfterFirstSend(h)
    const id = await h.burst('oi')

    const stalled = h.turn(id, { attempt: 1 })
    const wamid = await acceptedByMeta
    expect((await outboxRows(suite.database, id)).map((r) => r.status)).toEqual(['sending'])
    h.clock.advance(LEASE_MS + 1)
    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()

    const [row] = await outboxRows(suite.database, id)
    expect(row).toMatchObject({ status: 'unknown', attempts: 1, wamid: null })
    expect(h.sends().map(sentText)).toEqual(['Olá! Como posso ajudar?'])
    expect(await countUnknownSends(suite.database.db, { conversationId: id })).toBe(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
    resume({ crash: new Error('worker died') })
    await expect(stalled).rejects.toThrow('worker died')

    await h.receiveStatus({ wamid, status: 'delivered', outboxId: row!.id })

    expect(await outboxRows(suite.database, id)).toMatchObject([{ id: row!.id, status: 'delivered', wamid }])
    expect(await countUnknownSends(suite.database.db, { conversationId: id })).toBe(0)
    expect(h.sends()).toHaveLength(1)
    expect(openai!.requests).toHaveLength(1)
  })

  it('settles an unknown part whose message Meta could not deliver as failed', async () => {
    const h = await harness('Olá! Como posso ajudar?')
    const { acceptedByMeta, resume } = stallAfterFirstSend(h)
    const id = await h.burst('oi')
    const stalled = h.turn(id, { attempt: 1 })
    const wamid = await acceptedByMeta
    h.clock.advance(LEASE_MS + 1)
    await h.turn(id, { attempt: 2 })
    resume({ crash: new Error('worker died') })
    await expect(stalled).rejects.toThrow('worker died')
    const [row] = await outboxRows(suite.database, id)

    await h.receiveStatus({ wamid, status: 'failed', outboxId: row!.id, errors: [{ code: 131026, title: 'Message undeliverable' }] })

    expect(await outboxRows(suite.database, id)).toMatchObject([{ status: 'failed', wamid }])
    expect(await countUnknownSends(suite.database.db)).toBe(0)
  })

  it('records the send of a stalled turn that wakes after another took over: its own attempt, not a resend', async () => {
    const h = await harness('Olá! Como posso ajudar?')
    const { acceptedByMeta, resume } = stallAfterFirstSend(h)
    const id = await h.burst('oi')
    const stalled = h.turn(id, { attempt: 1 })
    const wamid = await acceptedByMeta
    h.clock.advance(LEASE_MS + 1)
    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()
    const after = await conversationRow(suite.database, id)

    resume('wake')
    expect(await stalled).toBeUndefined()

    // The late answer is the truth about that part, so it is recorded; the turn itself was
    // fenced off and completes nothing.
    expect(await outboxRows(suite.database, id)).toMatchObject([{ status: 'sent', wamid, attempts: 1 }])
    expect(await conversationRow(suite.database, id)).toEqual(after)
    expect(h.sends()).toHaveLength(1)
  })

  it('leaves a part whose send timed out after the request was written unknown, and the retry sends only the rest', async () => {
    const reply = longReply(2)
    const parts = splitReply(reply)
    const h = await harness(reply)
    // A client that gives up quickly, so the hanging answer times out without a long wait.
    h.deps.whatsapp = createCloudClient({ apiBaseUrl: h.graph.url, token: secret('test-wa-token'), timeoutMs: 300 })
    h.graph.failNext({ hang: true })
    const id = await h.burst('me explica o plano inteiro')

    const err = await h.turn(id, { attempt: 1 }).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ retryable: true, mayHaveSent: true })
    expect((await outboxRows(suite.database, id)).map((r) => [r.part, r.status])).toEqual([[0, 'unknown'], [1, 'pending']])

    expect(await h.turn(id, { attempt: 2 })).toBeUndefined()

    // Meta received the first part (the request was written); it is not sent a second time.
    const requested = h.graph.requests.filter((r) => r.kind === 'send').map(sentText)
    expect(requested).toEqual(parts)
    expect((await outboxRows(suite.database, id)).map((r) => [r.part, r.status, r.attempts])).toEqual([[0, 'unknown', 1], [1, 'sent', 1]])
    expect(await countUnknownSends(suite.database.db, { conversationId: id })).toBe(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
  })
})
