import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CUT_MARKER, MAX_JSON_DEPTH } from '../../src/domain/index.js'
import { MalformedJsonError } from '../../src/errors.js'
import { decodeWebhookBody } from '../../src/whatsapp/index.js'

const text = (s: string) => Buffer.from(s)
const arrays = (levels: number, inner = '') => '['.repeat(levels) + inner + ']'.repeat(levels)

describe('decodeWebhookBody', () => {
  it('decodes any JSON value as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const raw = JSON.stringify(value)
        expect(decodeWebhookBody(text(raw))).toEqual({ value: JSON.parse(raw), cut: 0 })
      }),
    )
  })

  it(`keeps ${MAX_JSON_DEPTH} levels and replaces each value opening deeper with the marker`, () => {
    expect(decodeWebhookBody(text(arrays(MAX_JSON_DEPTH)))).toEqual({ value: JSON.parse(arrays(MAX_JSON_DEPTH)), cut: 0 })
    const decoded = decodeWebhookBody(text(`{"a":${arrays(MAX_JSON_DEPTH)},"b":[${arrays(MAX_JSON_DEPTH, '{"x":"]"}')}],"c":1}`))
    expect(decoded.cut).toBe(2)
    // The object is level 1: "a" keeps 63 of its arrays, "b" 62 inside its own.
    expect(JSON.stringify(decoded.value)).toBe(
      `{"a":${arrays(MAX_JSON_DEPTH - 1, JSON.stringify(CUT_MARKER))},"b":[${arrays(MAX_JSON_DEPTH - 2, JSON.stringify(CUT_MARKER))}],"c":1}`,
    )
  })

  it('ignores brackets inside strings, escaped quotes included', () => {
    const raw = JSON.stringify({ s: '['.repeat(1_000), t: 'a\\"[[[', u: '\\' })
    expect(decodeWebhookBody(text(raw))).toEqual({ value: JSON.parse(raw), cut: 0 })
  })

  it('decodes a body nested a million levels deep without parsing those levels', () => {
    const decoded = decodeWebhookBody(text(`{"ok":true,"deep":${arrays(1_000_000)}}`))
    expect(decoded).toEqual({ value: { ok: true, deep: JSON.parse(arrays(MAX_JSON_DEPTH - 1, JSON.stringify(CUT_MARKER))) }, cut: 1 })
  })

  it.each([
    ['truncated JSON', '{"object":"whatsapp_business_account","entry":['],
    ['unbalanced brackets', ']['],
    ['an unterminated deep value', `{"a":${'['.repeat(100_000)}`],
    ['not JSON at all', 'hello'],
  ])('refuses %s as malformed', (_name, raw) => {
    expect(() => decodeWebhookBody(text(raw))).toThrow(MalformedJsonError)
  })
})
