import { describe, expect, it } from 'vitest'
import { MAX_ID_CHARS, MAX_UNIX_SECONDS, parseWebhook, parseWebhookInSteps } from '../../src/whatsapp/index.js'
import { textMessage, webhookWith } from './fixtures.js'

type Json = Record<string, unknown>
const valueOf = (body: Json) => ((body.entry as Json[])[0]!.changes as Json[])[0]!.value as Json

describe('parseWebhook bounds', () => {
  it(`reads timestamps up to ${MAX_UNIX_SECONDS} (year 9999) and keeps a later one unparsed`, () => {
    const body = webhookWith({ ...textMessage('wamid.T1', 'oi'), timestamp: String(MAX_UNIX_SECONDS) })
    ;(valueOf(body).messages as Json[]).push({ ...textMessage('wamid.T2', 'oi'), timestamp: String(MAX_UNIX_SECONDS + 1) })
    valueOf(body).statuses = [{ id: 'wamid.OUT', status: 'sent', timestamp: '999999999999' }]
    const parsed = parseWebhook(body)
    expect(parsed.messages.map((m) => m.sentAt.toISOString())).toEqual(['9999-12-31T23:59:59.000Z'])
    expect(parsed.statuses).toEqual([])
    expect(parsed.unparsed.map((u) => u.reason)).toEqual([
      expect.stringContaining('timestamp: expected unix seconds up to 253402300799 (year 9999)'),
      expect.stringContaining('timestamp: expected unix seconds up to 253402300799 (year 9999)'),
    ])
  })

  it(`keeps ids over ${MAX_ID_CHARS} characters unparsed: they would not fit a unique index`, () => {
    const long = 'w'.repeat(MAX_ID_CHARS + 1)
    const body = webhookWith(textMessage(long, 'oi'))
    ;(valueOf(body).messages as Json[]).push({ ...textMessage('wamid.OK', 'oi'), from: long }, textMessage('w'.repeat(MAX_ID_CHARS), 'oi'))
    const parsed = parseWebhook(body)
    expect(parsed.messages.map((m) => m.wamid.length)).toEqual([MAX_ID_CHARS])
    expect(parsed.unparsedCount).toBe(2)
  })

  it('reads a message whose id holds a lone surrogate under its well-formed id', () => {
    expect(parseWebhook(webhookWith(textMessage('wamid.\ud800', 'a\udc00'))).messages[0]).toMatchObject({ wamid: 'wamid.\ufffd', text: 'a\ufffd' })
  })

  it('keeps the first unparsed parts whole and counts the rest', () => {
    const body = webhookWith(textMessage('wamid.K', 'oi'))
    ;(body.entry as unknown[]).push(...Array.from({ length: 50 }, () => ({})))
    const parsed = parseWebhook(body, { keepUnparsed: 3 })
    expect(parsed.messages).toHaveLength(1)
    expect(parsed.unparsed.map((u) => u.reason.slice(0, 9))).toEqual(['entry[1]:', 'entry[2]:', 'entry[3]:'])
    expect(parsed.unparsedCount).toBe(50)
  })

  it('pauses every partsPerStep parts and reads the same as at once', () => {
    const messages = Array.from({ length: 25 }, (_, i) => textMessage(`wamid.S${i}`, 'oi'))
    const body = webhookWith(messages[0]!, { messages })
    const steps = parseWebhookInSteps(body, { partsPerStep: 10 })
    let pauses = 0
    let next = steps.next()
    for (; next.done !== true; next = steps.next()) pauses++
    // 27 parts read (one entry, one change, 25 messages): a pause after the 10th and the 20th.
    expect(pauses).toBe(2)
    expect(next.value).toEqual(parseWebhook(body))
  })
})
