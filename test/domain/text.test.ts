import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CUT_MARKER, MAX_JSON_DEPTH, storableJson, storableText } from '../../src/domain/index.js'

/** `levels` arrays inside each other, built without recursion. */
function nested(levels: number): unknown {
  let v: unknown = 'bottom'
  for (let i = 0; i < levels; i++) v = [v]
  return v
}

/** Every string of a JSON value, keys included. */
function strings(value: unknown): string[] {
  const out: string[] = []
  const stack = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') out.push(v)
    else if (Array.isArray(v)) stack.push(...(v as unknown[]))
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push(k, x)
  }
  return out
}

const unicode = fc.array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', '\ude00')), { maxLength: 6 }).map((a) => a.join(''))

describe('storableText', () => {
  it('strips NUL and replaces each lone surrogate with U+FFFD, keeping pairs', () => {
    expect(storableText('a\u0000b\ud800c\ud83d\ude00\udc00')).toBe('ab\ufffdc\ud83d\ude00\ufffd')
  })

  it('always gives well-formed text without NUL, and is idempotent', () => {
    fc.assert(
      fc.property(unicode, (s) => {
        const clean = storableText(s)
        return clean.isWellFormed() && !clean.includes('\u0000') && storableText(clean) === clean
      }),
    )
  })
})

describe('storableJson', () => {
  it('cleans every string and key of any JSON value, and is idempotent', () => {
    const json = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof({ maxDepth: 4 }, unicode, fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('v')), fc.dictionary(unicode, tie('v'))),
    })).v
    fc.assert(
      fc.property(json, (value) => {
        const { value: clean, cut } = storableJson(value)
        expect(cut).toBe(0)
        expect(strings(clean).every((s) => s.isWellFormed() && !s.includes('\u0000'))).toBe(true)
        expect(storableJson(clean).value).toEqual(clean)
      }),
    )
  })

  it(`keeps ${MAX_JSON_DEPTH} levels and cuts what lies deeper, counting each cut`, () => {
    expect(storableJson(nested(MAX_JSON_DEPTH))).toEqual({ value: nested(MAX_JSON_DEPTH), cut: 0 })
    const { value, cut } = storableJson({ a: nested(MAX_JSON_DEPTH), b: nested(MAX_JSON_DEPTH) })
    expect(cut).toBe(2)
    // The object is level 1, so each list's innermost array (level 65) is the one cut.
    expect(JSON.stringify(value)).toBe(JSON.stringify({ a: nested(MAX_JSON_DEPTH), b: nested(MAX_JSON_DEPTH) }).replaceAll('["bottom"]', JSON.stringify(CUT_MARKER)))
  })

  it('walks a million levels without overflowing the stack', () => {
    const { value, cut } = storableJson(nested(1_000_000))
    expect(cut).toBe(1)
    expect(() => JSON.stringify(value)).not.toThrow()
  })

  it('keeps __proto__ and constructor as plain keys, in order', () => {
    const parsed = JSON.parse('{"z":1,"__proto__":{"polluted":true},"constructor":{"name":"x"},"a":2}') as Record<string, unknown>
    const { value } = storableJson(parsed)
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect((value as { polluted?: unknown }).polluted).toBeUndefined()
    expect(JSON.stringify(value)).toBe('{"z":1,"__proto__":{"polluted":true},"constructor":{"name":"x"},"a":2}')
  })

  it('takes dates and other toJSON values as JSON.stringify does', () => {
    const at = new Date(1_700_000_000_000)
    expect(JSON.stringify(storableJson({ at, gone: undefined, list: [undefined] }).value)).toBe(JSON.stringify({ at, gone: undefined, list: [undefined] }))
  })
})
