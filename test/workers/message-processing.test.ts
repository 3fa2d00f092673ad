import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows, type AcceptedMessage } from '../../src/store/index.js'
import { createMessageProcessor } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { graphError } from '../helpers/fake-graph.js'
import { conversationRow, DEBOUNCE, jobContext, useWorkerSuite, type Harness } from './harness.js'

describe.each(ENGINES)('message-processing (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  async function received(text = 'oi'): Promise<{ h: Harness; message: AcceptedMessage }> {
    const h = await suite.harness()
    const [message] = await h.receive(text)
    return { h, message: message! }
  }

  function processMessage(h: Harness, messageId: number) {
    return createMessageProcessor(h.deps)({ queue: 'message-processing', messageId }, jobContext())
  }

  async function messageRow(id: number) {
    const [r] = await queryRows<{ wamid: string; processed_at: unknown; attempts: number; error: unknown }>(
      suite.database.db,
      sql`select wamid, processed_at, attempts, error from messages where id = ${id}`,
    )
    return { wamid: r!.wamid, processedAt: r!.processed_at === null ? null : new Date(r!.processed_at as string), attempts: Number(r!.attempts), error: r!.error }
  }

  const markReads = (h: Harness) => h.graph.requests.filter((r) => r.kind === 'mark-read')

  it('is woken by the ingest for each committed message', async () => {
    const { h, message } = await received()
    expect(h.dispatcher.wakeUps).toEqual([{ queue: 'message-processing', messageId: message.messageId }])
  })

  it('marks the message processed, sends a read receipt and wakes the turn at its due time', async () => {
    const { h, message } = await received()
    const { wamid } = await messageRow(message.messageId)

    expect(await processMessage(h, message.messageId)).toBeUndefined()

    expect(await messageRow(message.messageId)).toMatchObject({ processedAt: h.clock.now(), attempts: 1, error: null })
    expect(markReads(h)).toHaveLength(1)
    expect(markReads(h)[0]!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: wamid })
    expect(markReads(h)[0]!.headers.authorization).toBe('Bearer test-wa-token')
    const dueAt = new Date(message.turnDueAt.getTime())
    expect(dueAt.getTime()).toBe(h.clock.now().getTime() + DEBOUNCE.debounceMs)
    expect(h.dispatcher.turnWakeUps(message.conversationId)).toEqual([{ queue: 'ai-response', conversationId: message.conversationId, runAt: dueAt }])
    expect((await conversationRow(suite.database, message.conversationId)).turnEnqueuedAt).toEqual(h.clock.now())
  })

  it('still processes the message and wakes the turn when the read receipt fails', async () => {
    const { h, message } = await received()
    h.onGraph((r) => (r.kind === 'mark-read' ? graphError(500, 1, 'An unknown error occurred') : undefined))

    expect(await processMessage(h, message.messageId)).toBeUndefined()

    expect(markReads(h).map((r) => r.status)).toEqual([500])
    expect((await messageRow(message.messageId)).processedAt).toEqual(h.clock.now())
    expect(h.dispatcher.turnWakeUps(message.conversationId)).toHaveLength(1)
  })

  it('is harmless when woken twice for the same message', async () => {
    const { h, message } = await received()
    await processMessage(h, message.messageId)
    const first = await messageRow(message.messageId)
    h.clock.advance(5_000)

    expect(await processMessage(h, message.messageId)).toBeUndefined()

    expect(markReads(h)).toHaveLength(1)
    expect(await messageRow(message.messageId)).toEqual(first)
    // The same wake-up again: the runtime keeps one job per conversation, so it is a no-op.
    const wakeUps = h.dispatcher.turnWakeUps(message.conversationId)
    expect(wakeUps).toHaveLength(2)
    expect(wakeUps[1]).toEqual(wakeUps[0])
    expect(h.graph.requests.filter((r) => r.kind === 'send')).toHaveLength(0)
  })

  it('does not wake a turn for a message a turn already covered', async () => {
    const { h, message } = await received()
    await processMessage(h, message.messageId)
    h.clock.jumpTo(message.turnDueAt)
    await h.turn(message.conversationId)
    expect((await conversationRow(suite.database, message.conversationId)).turnDueAt).toBeNull()
    const before = h.dispatcher.turnWakeUps(message.conversationId).length

    await processMessage(h, message.messageId)

    expect(h.dispatcher.turnWakeUps(message.conversationId)).toHaveLength(before)
  })

  it('ignores a wake-up for a message that does not exist', async () => {
    const { h } = await received()
    expect(await processMessage(h, 987_654_321)).toBeUndefined()
    expect(h.dispatcher.turnWakeUps(987_654_321)).toHaveLength(0)
  })
})
