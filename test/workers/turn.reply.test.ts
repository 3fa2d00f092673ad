import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createLocalProvider, type AiProvider } from '../../src/ai/index.js'
import { splitReply } from '../../src/domain/index.js'
import { ENGINES } from '../helpers/db.js'
import type { FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, DEBOUNCE, gateFirstReply, longReply, outboxRows, sentText, useWorkerSuite } from './harness.js'

describe.each(ENGINES)('turn: one reply per burst (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let openai: FakeOpenAi | undefined

  async function openAiProvider(): Promise<AiProvider> {
    const { fake, ai } = await suite.openAi()
    openai = fake
    return ai
  }

  it('answers every unanswered message of a burst with one reply', async () => {
    const h = await suite.harness(await openAiProvider())
    const id = await h.burst(['oi', 'minha internet caiu', 'desde ontem à noite'])

    expect(await h.turn(id)).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    expect(openai!.requests).toHaveLength(1)
    const asked = (openai!.requests[0]!.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user')
    expect(asked.map((m) => m.content)).toEqual(['oi', 'minha internet caiu', 'desde ontem à noite'])
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 3, lastSeq: 3, turnDueAt: null, turnAttempts: 0 })
    expect(await outboxRows(suite.database, id)).toMatchObject([{ seq: 3, part: 0, status: 'sent', text: sentText(h.sends()[0]!) }])
  })

  it('gives the AI the history oldest first, each customer message before the reply to it', async () => {
    const h = await suite.harness(await openAiProvider())
    openai!.script({ json: { department: null, reply: 'primeira resposta', resolved: false, handoff: false, confidence: 0.9 } })
    const id = await h.burst('minha internet caiu')
    await h.turn(id)
    openai!.script({ json: { department: null, reply: 'segunda resposta', resolved: false, handoff: false, confidence: 0.9 } })
    await h.burst('continua sem internet')
    await h.turn(id)

    const second = openai!.requests[1]!.body.messages as Array<{ role: string; content: string }>
    const dialogue = second.filter((m) => m.role !== 'system').map((m) => `${m.role}: ${m.content}`)
    expect(dialogue).toEqual(['user: minha internet caiu', 'assistant: primeira resposta', 'user: continua sem internet'])
  })

  it('sends the reply to the customer through the Graph API with the outbox row id as callback data', async () => {
    const h = await suite.harness()
    const id = await h.burst('como faço pra pegar a segunda via do boleto?')

    await h.turn(id)

    const [send] = h.sends()
    const [row] = await outboxRows(suite.database, id)
    expect(send!.body).toMatchObject({ to: h.customer, type: 'text', biz_opaque_callback_data: `out:${row!.id}` })
    expect(sentText(send!)).toMatch(/segunda via/i)
    expect(row).toMatchObject({ status: 'sent', wamid: `wamid.out.${h.customer}.1` })
  })

  it('splits a reply over 4,096 characters and sends the parts in part order', async () => {
    const h = await suite.harness(await openAiProvider())
    const reply = longReply(3)
    openai!.script({ json: { department: null, reply, resolved: false, handoff: false, confidence: 0.9 } })
    const id = await h.burst('me explica tudo sobre o plano')

    await h.turn(id)

    const expected = splitReply(reply)
    expect(expected).toHaveLength(3)
    expect(h.sends().map(sentText)).toEqual(expected)
    expect(h.sends().every((s) => sentText(s).length <= 4_096)).toBe(true)
    const rows = await outboxRows(suite.database, id)
    expect(rows.map((r) => [r.part, r.status, r.text])).toEqual(expected.map((text, i) => [i, 'sent', text]))
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 1, turnDueAt: null })
  })

  it('returns retryAt equal to turn_due_at when the turn is not due yet', async () => {
    const h = await suite.harness()
    const accepted = await h.receive('oi, tudo bem?')
    await h.process(accepted)
    const id = accepted[0]!.conversationId
    const due = (await conversationRow(suite.database, id)).turnDueAt!
    expect(due.getTime()).toBe(h.clock.now().getTime() + DEBOUNCE.debounceMs)

    h.clock.advance(DEBOUNCE.debounceMs - 1)
    const result = await h.turn(id)

    expect(result).toMatchObject({ retryAt: due })
    expect(h.sends()).toHaveLength(0)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 0, turnAttempts: 0, turnToken: 0 })
  })

  it('waits for the burst to go quiet: a later message moves the due time', async () => {
    const h = await suite.harness()
    const first = await h.receive('oi')
    h.clock.advance(DEBOUNCE.debounceMs - 500)
    const second = await h.receive('queria saber do meu boleto')
    await h.process([...first, ...second])
    const id = first[0]!.conversationId

    h.clock.jumpTo(first[0]!.turnDueAt)
    expect(await h.turn(id)).toMatchObject({ retryAt: second[0]!.turnDueAt })
    expect(h.sends()).toHaveLength(0)

    h.clock.jumpTo(second[0]!.turnDueAt)
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 2, turnDueAt: null })
  })

  it('gives messages that arrive during a turn a new due time and a follow-up wake-up', async () => {
    const gate = gateFirstReply(createLocalProvider(suite.kb))
    const h = await suite.harness(gate.ai)
    const id = await h.burst(['oi', 'minha internet caiu'])

    const running = h.turn(id)
    await gate.entered
    const [late] = await h.receive('e o boleto também venceu')
    gate.release()
    expect(await running).toBeUndefined()

    expect(h.sends()).toHaveLength(1)
    const afterFirst = await conversationRow(suite.database, id)
    expect(afterFirst).toMatchObject({ answeredSeq: 2, lastSeq: 3, turnAttempts: 0 })
    expect(afterFirst.turnDueAt).toEqual(new Date(late!.turnDueAt.getTime()))
    expect(h.dispatcher.turnWakeUps(id).at(-1)).toEqual({ queue: 'ai-response', conversationId: id, runAt: afterFirst.turnDueAt })

    await h.process([late!])
    h.clock.jumpTo(afterFirst.turnDueAt!)
    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(2)
    expect(await conversationRow(suite.database, id)).toMatchObject({ answeredSeq: 3, turnDueAt: null })
    expect((await outboxRows(suite.database, id)).map((r) => [r.seq, r.status])).toEqual([[2, 'sent'], [3, 'sent']])
  })

  // Only PostgreSQL runs statements concurrently: a message committed while the turn's final
  // update waits for the conversation's row lock must still start the next debounce window.
  it.runIf(engine === 'postgres')('keeps the first-unanswered time of a message committed while the turn completes', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    const sent = deferred()
    const resume = deferred()
    const cloud = h.deps.whatsapp
    h.deps.whatsapp = { ...cloud, sendText: async (input) => {
      const result = await cloud.sendText(input)
      sent.resolve()
      await resume.promise
      return result
    } }
    const blocker = new pg.Client({ connectionString: suite.testDatabase.url })
    await blocker.connect()
    try {
      const turn = h.turn(id)
      await sent.promise
      // An uncommitted row with the next message's wamid makes the real ingest wait inside its
      // transaction, after it locked the conversation row: a commit caught mid-flight.
      await blocker.query('begin')
      await blocker.query(
        `insert into messages (conversation_id, direction, wamid, seq, type, provider_status) values ($1, 'in', 'wamid.RACE', 999, 'text', 'received')`,
        [id],
      )
      const arriving = h.receive('e o boleto?', { wamid: 'wamid.RACE' })
      await lockWaiters(blocker, 1)
      resume.resolve()
      await lockWaiters(blocker, 2) // the turn's completion now waits for the ingest's row lock
      await blocker.query('rollback')
      const [late] = await arriving
      expect(await turn).toBeUndefined()

      const arrivedAt = new Date(late!.turnDueAt.getTime() - DEBOUNCE.debounceMs)
      const c = await conversationRow(suite.database, id)
      expect(c).toMatchObject({ answeredSeq: 1, lastSeq: 2, turnDueAt: late!.turnDueAt })
      expect(c.firstUnansweredAt).toEqual(arrivedAt)
      // So a customer who keeps typing is answered DEBOUNCE_MAX_MS after that message (invariant 4).
      h.clock.jumpTo(new Date(arrivedAt.getTime() + DEBOUNCE.debounceMaxMs - 500))
      const [typing] = await h.receive('alô?')
      expect(typing!.turnDueAt).toEqual(new Date(arrivedAt.getTime() + DEBOUNCE.debounceMaxMs))
    } finally {
      await blocker.end()
    }
  })

  it('does nothing when woken for a conversation with nothing due', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    await h.turn(id)

    expect(await h.turn(id)).toBeUndefined()
    expect(h.sends()).toHaveLength(1)
  })
})

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

/** Resolves once `n` backends of this database wait for a lock (PostgreSQL only). */
async function lockWaiters(client: pg.Client, n: number): Promise<void> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `select count(distinct l.pid)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where not l.granted and a.datname = current_database()`,
    )
    if (rows[0]!.n >= n) return
    if (Date.now() > deadline) throw new Error(`expected ${n} backend(s) waiting for a lock; saw ${rows[0]!.n}`)
  }
}
