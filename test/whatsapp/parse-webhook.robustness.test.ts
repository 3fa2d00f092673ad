import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseWebhook } from '../../src/whatsapp/index.js'
import { loadWebhook, textMessage, webhookWith } from './fixtures.js'

type Json = Record<string, unknown>
const valueOf = (body: Json) => ((body.entry as Json[])[0]!.changes as Json[])[0]!.value as Json

describe('parseWebhook when a part is odd', () => {
  it('keeps an odd message as one unparsed part and parses the others', () => {
    const body = webhookWith(textMessage('wamid.A', 'primeira'))
    const messages = valueOf(body).messages as Json[]
    messages.push({ ...textMessage('wamid.B', 'sem corpo'), text: {} }, textMessage('wamid.C', 'terceira'))

    const parsed = parseWebhook(body)
    expect(parsed.messages.map((m) => m.wamid)).toEqual(['wamid.A', 'wamid.C'])
    expect(parsed.unparsed).toHaveLength(1)
    expect(parsed.unparsed[0]?.raw).toEqual(messages[1])
    expect(parsed.unparsed[0]?.reason).toBe(
      "entry[0].changes[0].value.messages[1]: a message of type 'text' needs text.body (string); text.body: Invalid input: expected string, received undefined",
    )
  })

  it('keeps an odd status as one unparsed part and reads the others', () => {
    const body = loadWebhook('batch')
    const statuses = ((body.entry as Json[])[1]!.changes as Json[])[1]!.value as Json
    ;(statuses.statuses as unknown[]).splice(1, 0, { status: 'read' })

    const parsed = parseWebhook(body)
    expect(parsed.statuses.map((s) => s.wamid)).toEqual(['wamid.OUT0001', 'wamid.OUT0002', 'wamid.OUT0003'])
    expect(parsed.unparsed.map((p) => p.reason)).toEqual([
      'entry[1].changes[1].value.statuses[1]: expected a status with id and status; id: Invalid input: expected string, received undefined',
    ])
  })

  it('keeps a message with a bad timestamp as unparsed', () => {
    const parsed = parseWebhook(webhookWith({ ...textMessage('wamid.T', 'oi'), timestamp: '2024-01-01T00:00:00Z' }))
    expect(parsed.messages).toEqual([])
    expect(parsed.unparsed[0]?.reason).toContain('timestamp: expected unix seconds as a string of digits')
  })

  it('keeps a message with neither from nor from_user_id as unparsed', () => {
    const { from: _from, ...anonymous } = textMessage('wamid.N', 'oi')
    const parsed = parseWebhook(webhookWith(anonymous))
    expect(parsed.unparsed[0]?.reason).toContain('expected from (wa_id) or from_user_id; got neither')
  })

  it('keeps an entry without changes as unparsed and still reads the next entry', () => {
    const body = loadWebhook('batch')
    ;(body.entry as unknown[])[0] = { id: '200000000000001' }
    const parsed = parseWebhook(body)
    expect(parsed.messages.map((m) => m.wamid)).toEqual(['wamid.BATCH0004', 'wamid.BATCH0005'])
    expect(parsed.unparsed).toEqual([{ reason: expect.stringMatching(/^entry\[0\]: expected an entry with a changes array/), raw: { id: '200000000000001' } }])
  })

  it('keeps a messages change without metadata whole, since its business number is unknown', () => {
    const body = webhookWith(textMessage('wamid.M', 'oi'))
    delete valueOf(body).metadata
    const parsed = parseWebhook(body)
    expect(parsed.messages).toEqual([])
    expect(parsed.unparsed).toEqual([{ reason: expect.stringContaining('metadata'), raw: valueOf(body) }])
  })

  it('keeps a messages list that is not an array raw while statuses still parse', () => {
    const body = webhookWith(textMessage('wamid.X', 'oi'), {
      messages: { not: 'an array' },
      statuses: [{ id: 'wamid.OUT1', status: 'sent', timestamp: '1700000000' }],
    })
    const parsed = parseWebhook(body)
    expect(parsed.statuses.map((s) => s.wamid)).toEqual(['wamid.OUT1'])
    expect(parsed.unparsed).toEqual([{ reason: 'entry[0].changes[0].value.messages: expected an array; got object', raw: { not: 'an array' } }])
  })

  it('keeps a malformed change of any field as unparsed', () => {
    const body = loadWebhook('text')
    ;((body.entry as Json[])[0]!.changes as unknown[]).push({ value: {} })
    const parsed = parseWebhook(body)
    expect(parsed.messages).toHaveLength(1)
    expect(parsed.unparsed[0]?.reason).toMatch(/^entry\[0\]\.changes\[1\]: expected a change with a field name and a value; field:/)
  })

  it('keeps errors Meta reports outside any message, naming only their codes', () => {
    const body = webhookWith(textMessage('wamid.E', 'oi'), {
      errors: [{ code: 131000, title: 'Something went wrong', message: 'Something went wrong' }],
    })
    const parsed = parseWebhook(body)
    expect(parsed.messages).toHaveLength(1)
    expect(parsed.unparsed[0]?.reason).toBe(
      'entry[0].changes[0].value.errors: Meta reported errors outside any message or status (codes: 131000)',
    )
  })

  it('reads an interactive reply of another kind with its whole object', () => {
    const nfm = { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '{}' } }
    const parsed = parseWebhook(webhookWith({ from: '5511900000001', id: 'wamid.F', timestamp: '1', type: 'interactive', interactive: nfm }))
    expect(parsed.messages[0]?.payload).toEqual({ interactive: nfm })
  })
})

describe('parseWebhook when the body is not a WhatsApp webhook', () => {
  it.each([
    ['a Messenger page event', { object: 'page', entry: [] }],
    ['an empty object', {}],
    ['a string', 'hello'],
    ['null', null],
    ['an array', [1, 2]],
  ])('keeps %s whole as one unparsed part', (_name, body) => {
    const parsed = parseWebhook(body)
    expect(parsed.messages).toEqual([])
    expect(parsed.statuses).toEqual([])
    expect(parsed.unparsed).toEqual([{ reason: expect.stringMatching(/^body: expected a WhatsApp webhook/), raw: body }])
  })
})

describe('parseWebhook reasons', () => {
  it('never echo phone numbers or text of the part they describe', () => {
    const body = webhookWith({ from: '5511900000001', id: 'wamid.R', timestamp: 'segredo 5511900000001', type: 'text', text: { body: 5511900000001 } })
    const [part] = parseWebhook(body).unparsed
    expect(part?.reason).not.toMatch(/5511900000001|segredo/)
  })

  it('never echo an unknown type that is not a type name', () => {
    const body = webhookWith({ from: '5511900000001', type: 'call me at 5511900000001' })
    expect(parseWebhook(body).unparsed[0]?.reason).not.toContain('5511900000001')
  })
})

/** Every path into a JSON value, for mutations. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = prefix.length > 0 ? [prefix] : []
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...prefix, i]))]
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))]
  }
  return here
}

function mutate(root: Json, path: (string | number)[], replacement: unknown, remove: boolean): Json {
  const copy = structuredClone(root)
  let node: Record<string | number, unknown> = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (remove) delete node[last]
  else node[last] = replacement
  return copy
}

describe('parseWebhook on arbitrary input', () => {
  it('never throws on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const parsed = parseWebhook(body)
        return Array.isArray(parsed.messages) && Array.isArray(parsed.statuses) && Array.isArray(parsed.unparsed)
      }),
      { numRuns: 500 },
    )
  })

  it('never throws on a mutated valid payload', () => {
    const fixture = loadWebhook('batch')
    const paths = pathsOf(fixture)
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.boolean(), (path, replacement, remove) => {
        parseWebhook(mutate(fixture, path, replacement, remove))
      }),
      { numRuns: 500 },
    )
  })

  it('accounts for every message when one message is mutated', () => {
    const fixture = loadWebhook('every-type')
    const messagesPath = ['entry', 0, 'changes', 0, 'value', 'messages']
    const paths = pathsOf(fixture).filter((p) => p.length > messagesPath.length && messagesPath.every((k, i) => p[i] === k))
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), fc.boolean(), (path, replacement, remove) => {
        const parsed = parseWebhook(mutate(fixture, path, replacement, remove))
        expect(parsed.messages.length + parsed.unparsed.length).toBe(13)
      }),
      { numRuns: 500 },
    )
  })

  it('strips NUL from text wherever it appears', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constant('\u0000'))), (pieces) => {
        const body = pieces.join('')
        const [message] = parseWebhook(webhookWith(textMessage('wamid.NUL', body))).messages
        expect(message?.text).toBe(body.replaceAll('\u0000', ''))
      }),
    )
  })
})
