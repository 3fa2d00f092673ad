import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildPixCode, parsePixCode, type PixCodeInput } from '../../src/domain/index.js'
import { sealed } from '../helpers/crc16-reference.js'

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code))
/** Printable ASCII with no space at either end (the builder trims). */
const text = (maxLength: number) => fc.string({ unit: printable, minLength: 1, maxLength }).filter((s) => s.trim() === s)
const alphanumeric = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 1, maxLength: 25 })

/*
 * Sizes keep the account template within its 99 characters: GUI 18, key or URL up to
 * 4 + 36, description up to 4 + 37.
 */
const common = {
  merchantName: text(25),
  merchantCity: text(15),
  amountCents: fc.option(fc.integer({ min: 1, max: 999_999_999_999 }), { nil: undefined }),
  description: fc.option(text(37), { nil: undefined }),
  merchantCategoryCode: fc.stringMatching(/^[0-9]{4}$/),
}
const staticInput: fc.Arbitrary<PixCodeInput> = fc.record({ ...common, key: text(36), txid: fc.option(alphanumeric, { nil: undefined }) })
const dynamicInput: fc.Arbitrary<PixCodeInput> = fc.record({ ...common, url: text(36) })
const anyInput = fc.oneof(staticInput, dynamicInput)

describe('Pix code properties', () => {
  it('reads back every code it builds', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const parsed = parsePixCode(buildPixCode(input))
        expect(parsed).toEqual({
          ok: true,
          pix: {
            kind: input.url === undefined ? 'static' : 'dynamic',
            key: input.key,
            keyType: input.key === undefined ? undefined : expect.any(String),
            url: input.url,
            merchantName: input.merchantName,
            merchantCity: input.merchantCity,
            amountCents: input.amountCents,
            txid: input.txid,
            description: input.description,
          },
        })
      }),
    )
  })

  it('reads any decimal amount as exact cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), fc.constantFrom('', '.', '.0', '.5', '.05', '.99', '.10'), (reais, fraction) => {
        const amount = `${reais}${fraction}`
        const account = '2633' + '0014br.gov.bcb.pix' + '011112345678909'
        const fields = `000201${account}52040000` + `5303986` + `54${String(amount.length).padStart(2, '0')}${amount}` + '5802BR5901A6001B'
        const parsed = parsePixCode(sealed(fields))
        const cents = reais * 100 + Number(fraction.slice(1).padEnd(2, '0'))
        expect(parsed.ok && parsed.pix.amountCents).toBe(cents === 0 ? undefined : cents)
      }),
    )
  })

  it('rejects any change of one character to another printable ASCII character', () => {
    // CRC-16 catches every error burst of up to 16 bits, so any change within one byte.
    // The only change it cannot see is no change at all: a CRC hex letter written in the
    // other case, which we accept as the same number.
    fc.assert(
      fc.property(anyInput, fc.nat(), printable, (input, at, to) => {
        const code = buildPixCode(input)
        const i = at % code.length
        const sameCrcValue = i >= code.length - 4 && to.toUpperCase() === code[i]
        fc.pre(to !== code[i] && !sameCrcValue)
        expect(parsePixCode(code.slice(0, i) + to + code.slice(i + 1)).ok).toBe(false)
      }),
      { numRuns: 3000 },
    )
  })

  it('never throws when one character becomes any character at all', () => {
    // Multi-byte characters change the byte count, where CRC-16 promises only 1 - 2⁻¹⁶.
    fc.assert(
      fc.property(anyInput, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), (input, at, to) => {
        const code = buildPixCode(input)
        const i = at % code.length
        parsePixCode(code.slice(0, i) + to + code.slice(i + 1))
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws on garbage, and accepts nothing that is not an EMV payload', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (input) => {
        const parsed = parsePixCode(input)
        if (!input.trim().startsWith('000201')) expect(parsed).toEqual({ ok: false, reason: 'not-pix' })
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws on well-sealed payloads of arbitrary fields', () => {
    // Correct CRC, arbitrary structure: this reaches every check past the checksum.
    const field = fc.tuple(fc.constantFrom('01', '26', '27', '52', '53', '54', '58', '59', '60', '62', '63', '80'), fc.string({ maxLength: 40 }))
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const body = fields.map(([id, value]) => `${id}${String(value.length).padStart(2, '0')}${value}`).join('')
        const parsed = parsePixCode(sealed(`000201${body}`))
        expect(typeof parsed.ok).toBe('boolean')
      }),
      { numRuns: 2000 },
    )
  })

  it('refuses anything longer than twice the cap before trimming it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1025, maxLength: 4000 }), (input) => {
        expect(parsePixCode(input)).toEqual({ ok: false, reason: 'too-long' })
      }),
    )
  })

  it('removes accents from Latin letters and reads back the plain letters', () => {
    const accented = fc.string({ unit: fc.constantFrom(...'ãáàâäéêèíìîóôõòúùûüçñÃÁÀÂÉÊÍÓÔÕÚÇÑ'), minLength: 1, maxLength: 15 })
    fc.assert(
      fc.property(accented, (name) => {
        const parsed = parsePixCode(buildPixCode({ key: 'a@b.co', merchantName: name, merchantCity: name }))
        const plain = name.normalize('NFD').replace(/\p{M}/gu, '')
        expect(parsed.ok && [parsed.pix.merchantName, parsed.pix.merchantCity]).toEqual([plain, plain])
        expect(plain).toMatch(/^[A-Za-z]+$/)
      }),
    )
  })
})
