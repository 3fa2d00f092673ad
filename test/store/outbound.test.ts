import { describe, expect, it } from 'vitest'
import { IdempotencyKeyReusedError, InvalidOutboundContentError } from '../../src/errors.js'
import { queueOutbound, type QueueOutboundInput } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { conversationRow, outboxRows, useWorkerSuite, type Harness } from '../workers/harness.js'

describe.each(ENGINES)('queueOutbound (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  function queue(h: Harness, conversationId: number, input: Partial<QueueOutboundInput> = {}) {
    return queueOutbound(suite.database.db, {
      conversationId, kind: 'agent', content: { type: 'text', text: 'Oi, aqui é a Carla.' }, takeOver: true, now: h.clock.now(), ...input,
    })
  }

  describe('with an Idempotency-Key', () => {
    it('queues a retried request once and answers the first row', async () => {
      const h = await suite.harness()
      const id = await h.burst('oi')

      const first = await queue(h, id, { idempotencyKey: 'k-1' })
      const again = await queue(h, id, { idempotencyKey: 'k-1' })

      expect(first).toMatchObject({ kind: 'queued', outboundSeq: 1 })
      expect(again).toEqual({ kind: 'duplicate', outboxId: (first as { outboxId: number }).outboxId, outboundSeq: 1, status: 'pending' })
      expect(await outboxRows(suite.database, id)).toHaveLength(1)
    })

    it('queues concurrent requests with the same key once', async () => {
      const h = await suite.harness()
      const id = await h.burst('oi')

      const results = await Promise.all(Array.from({ length: 8 }, () => queue(h, id, { idempotencyKey: 'same' })))

      expect(results.filter((r) => r.kind === 'queued')).toHaveLength(1)
      expect(new Set(results.map((r) => (r as { outboxId: number }).outboxId)).size).toBe(1)
      expect(await outboxRows(suite.database, id)).toHaveLength(1)
    })

    it('refuses the same key for a different message, queueing nothing', async () => {
      const h = await suite.harness()
      const id = await h.burst('oi')
      await queue(h, id, { idempotencyKey: 'k-1' })
      const before = await conversationRow(suite.database, id)

      await expect(queue(h, id, { idempotencyKey: 'k-1', content: { type: 'text', text: 'Outra coisa' } })).rejects.toBeInstanceOf(IdempotencyKeyReusedError)

      expect(await outboxRows(suite.database, id)).toHaveLength(1)
      expect(await conversationRow(suite.database, id)).toEqual(before)
    })

    it('keeps keys apart per conversation', async () => {
      const a = await suite.harness()
      const b = await suite.harness()
      const [ida, idb] = [await a.burst('oi'), await b.burst('oi')]

      expect(await queue(a, ida, { idempotencyKey: 'k-1' })).toMatchObject({ kind: 'queued' })
      expect(await queue(b, idb, { idempotencyKey: 'k-1' })).toMatchObject({ kind: 'queued' })
    })
  })

  it('queues without a key every time it is asked, each row with the next outbound_seq', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    await queue(h, id)
    await queue(h, id, { kind: 'survey', takeOver: false, content: { type: 'text', text: 'De 0 a 10, que nota você dá?' } })
    await queue(h, id, { kind: 'template', takeOver: false, content: { type: 'template', template: { name: 'pesquisa', language: 'pt_BR' } } })

    const rows = await outboxRows(suite.database, id, 'outbound')
    expect(rows.map((r) => [r.kind, r.outboundSeq, r.type, r.status])).toEqual([
      ['agent', 1, 'text', 'pending'], ['survey', 2, 'text', 'pending'], ['template', 3, 'template', 'pending'],
    ])
  })

  it('takes the conversation for an agent message but not for a survey', async () => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    const before = await conversationRow(suite.database, id)

    await queue(h, id, { kind: 'survey', takeOver: false })
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'open', turnToken: before.turnToken })
    await queue(h, id)
    expect(await conversationRow(suite.database, id)).toMatchObject({ status: 'handoff', turnToken: before.turnToken + 1 })
  })

  it.each([
    ['blank text', { type: 'text', text: '   ' }, /text: must not be blank/],
    ['text over 4,096 chars', { type: 'text', text: 'x'.repeat(4_097) }, /text/],
    ['four reply buttons', { type: 'interactive', interactive: { kind: 'buttons', body: 'Setor?', buttons: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id })) } }, /buttons/],
    ['a button title over 20 chars', { type: 'interactive', interactive: { kind: 'buttons', body: 'Setor?', buttons: [{ id: 'a', title: 'x'.repeat(21) }] } }, /title/],
    ['a list of 11 rows', { type: 'interactive', interactive: { kind: 'list', body: 'Setor?', button: 'Ver', sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Linha ${i}` })) }] } }, /at most 10 rows/],
    ['a template name with spaces', { type: 'template', template: { name: 'pesquisa nps', language: 'pt_BR' } }, /template name/],
    ['an unknown type', { type: 'sticker', sticker: {} }, /type/],
    ['an extra field', { type: 'text', text: 'oi', preview_url: true }, /preview_url|Unrecognized/],
  ])('refuses %s with ATD_OUTBOUND_INVALID, queueing nothing', async (_, content, issue) => {
    const h = await suite.harness()
    const id = await h.burst('oi')
    const before = await conversationRow(suite.database, id)

    const err = await queue(h, id, { content }).catch((e: unknown) => e)

    expect(err).toBeInstanceOf(InvalidOutboundContentError)
    expect(err).toMatchObject({ code: 'ATD_OUTBOUND_INVALID', statusCode: 400 })
    expect((err as InvalidOutboundContentError).issues.join('\n')).toMatch(issue)
    expect(await outboxRows(suite.database, id)).toEqual([])
    expect(await conversationRow(suite.database, id)).toEqual(before)
  })

  it('answers notFound for a conversation that does not exist', async () => {
    const h = await suite.harness()
    expect(await queue(h, 999_999_999)).toEqual({ kind: 'notFound' })
  })
})
