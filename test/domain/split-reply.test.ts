import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitReply, MAX_TEXT_CHARS } from '../../src/domain/index.js'

describe('splitReply', () => {
  it('gives back the text exactly when the parts are joined', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 2, max: 500 }), (t, max) => splitReply(t, max).join('') === t))
  })

  it('never makes a part longer than the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.integer({ min: 2, max: 300 }), (t, max) =>
        splitReply(t, max).every((p) => p.length <= max),
      ),
    )
  })

  it('never cuts a surrogate pair in two', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.integer({ min: 2, max: 300 }), (t, max) =>
        splitReply(t, max).every((p) => p.length === 0 || !/[\ud800-\udbff]$/.test(p)),
      ),
    )
  })

  it('keeps a reply within WhatsApp\'s limit as one part', () => {
    expect(splitReply('a'.repeat(MAX_TEXT_CHARS))).toHaveLength(1)
    expect(splitReply('a'.repeat(MAX_TEXT_CHARS + 1))).toHaveLength(2)
  })

  it('prefers to cut at a paragraph break', () => {
    const first = 'x'.repeat(3000)
    expect(splitReply(`${first}\n\n${'y'.repeat(3000)}`)[0]).toBe(`${first}\n\n`)
  })
})
