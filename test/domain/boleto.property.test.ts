import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  boletoBarcodeToLine,
  boletoLineToBarcode,
  buildBankBoleto,
  buildConvenioBoleto,
  parseBoleto,
  type BuiltBoleto,
  type ConvenioBoletoInput,
} from '../../src/domain/index.js'

const DAY_MS = 86_400_000
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)
const dayOf = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS
const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length })

/** A bank boleto, and a `today` from which FEBRABAN's window holds its due date (see due-factor.ts). */
const bankCase = fc
  .record({
    bankCode: fc.stringMatching(/^[0-79][0-9]{2}$/),
    currency: fc.constantFrom('9' as const, '0' as const),
    dueDay: fc.option(fc.integer({ min: dayOf('2000-07-03'), max: dayOf('2075-12-31') }), { nil: undefined }),
    todayOffsetDays: fc.integer({ min: -5749, max: 3250 }),
    amountCents: fc.integer({ min: 0, max: 9_999_999_999 }),
    freeField: digits(25),
  })
  .map(({ dueDay, todayOffsetDays, ...rest }) => ({
    input: { ...rest, dueDate: dueDay === undefined ? undefined : iso(dueDay) },
    today: iso((dueDay ?? dayOf('2025-02-22')) + todayOffsetDays),
  }))

const convenioInput: fc.Arbitrary<Required<ConvenioBoletoInput>> = fc.record({
  segment: fc.integer({ min: 0, max: 9 }),
  valueType: fc.constantFrom(6 as const, 7 as const, 8 as const, 9 as const),
  amountCents: fc.integer({ min: 0, max: 99_999_999_999 }),
  companyField: digits(29),
})

/** Any valid boleto in both of its forms, with what we need to know to judge an error. */
interface Case {
  kind: 'bank' | 'convenio'
  built: BuiltBoleto
  /** Módulo 10 or 11, for convênio; bank fields use 10, the bank general DV 11. */
  modulus: 10 | 11
}
const anyCase: fc.Arbitrary<Case> = fc.oneof(
  bankCase.map(({ input }): Case => ({ kind: 'bank', built: buildBankBoleto(input), modulus: 11 })),
  convenioInput.map((input): Case => ({ kind: 'convenio', built: buildConvenioBoleto(input), modulus: input.valueType <= 7 ? 10 : 11 })),
)

const family = (valueType: string) => ('67'.includes(valueType) ? 10 : '89'.includes(valueType) ? 11 : undefined)

/**
 * Whether FEBRABAN's check digits are guaranteed to catch replacing digit `i` of `s` with
 * `to`. Módulo 10 catches every substitution. Módulo 11 catches every one that the
 * remainder sees, but the layouts collapse remainders: a bank general DV of 1 stands for
 * remainders 0, 1 and 10, and a convênio DV of 0 for 0 and 1, so with those DVs a change
 * can go unseen. A changed DV digit itself is always caught. The first digit (8 or not)
 * picks the barcode layout and the value-type digit picks the modulus, so changing those
 * can turn the code into a valid one of the other kind: no promise there.
 */
function mustCatchSubstitution(c: Case, form: 'barcode' | 'lineDigits', i: number, to: string): boolean {
  const s = c.built[form]
  if (c.kind === 'bank') {
    const generalDvIsNot1 = c.built.barcode[4] !== '1'
    if (form === 'lineDigits') return i <= 32 || generalDvIsNot1
    if (i === 4) return true
    if (i === 0 && to === '8') return false
    if (i === 3 && to !== '9' && to !== '0') return true
    return generalDvIsNot1
  }
  if (form === 'barcode') {
    if (i === 3) return true
    if (i === 0) return false
    if (i === 2 && family(to) !== c.modulus) return family(to) === undefined
    return c.modulus === 10 || s[3] !== '0'
  }
  if (i === 0 || i === 3 || i % 12 === 11) return true
  if (i === 2 && family(to) !== c.modulus) return family(to) === undefined
  return c.modulus === 10 || s[Math.floor(i / 12) * 12 + 11] !== '0'
}

/**
 * Whether swapping the different digits at `i` and `i + 1` is guaranteed to be caught.
 * Módulo 10 (weights 2, 1) misses only swapping 0 and 9 within one checked run. Módulo 11
 * weights differ between neighbours, so the remainder always changes: caught unless the DV
 * is a collapsed one (above). Swaps that move a DV into the data are promised only where
 * Módulo 10 covers the DV (bank fields 1–3, convênio Módulo 10 blocks) or where a field DV
 * is replaced while its data stays put (across a field or block boundary).
 */
function mustCatchTransposition(c: Case, form: 'barcode' | 'lineDigits', i: number): boolean {
  const s = c.built[form]
  const zeroAndNine = s[i] === '0' ? s[i + 1] === '9' : s[i] === '9' && s[i + 1] === '0'
  if (c.kind === 'bank') {
    const generalDvIsNot1 = c.built.barcode[4] !== '1'
    if (form === 'lineDigits') {
      if (i === 9 || i === 20 || i === 31) return true
      if (i < 31) return !zeroAndNine
      return i > 32 && generalDvIsNot1
    }
    if (i === 3) return true
    if (i === 4 || (i === 0 && s[1] === '8')) return false
    if (i === 2 && s[2] !== '9' && s[2] !== '0') return true
    return generalDvIsNot1
  }
  if (form === 'barcode') {
    if (i <= 3) return false
    return c.modulus === 10 ? !zeroAndNine : s[3] !== '0'
  }
  if (i === 0 || i % 12 === 11) return true
  if (i === 1 || i === 2) return false
  if (c.modulus === 10) return !zeroAndNine
  return i % 12 !== 10 && s[Math.floor(i / 12) * 12 + 11] !== '0'
}

describe('boleto properties', () => {
  it('reads back every bank boleto it builds, from the barcode and from the line', () => {
    fc.assert(
      fc.property(bankCase, ({ input, today }) => {
        const built = buildBankBoleto(input)
        const expected = {
          kind: 'bank',
          bankCode: input.bankCode,
          currency: input.currency,
          amountCents: input.amountCents === 0 ? undefined : input.amountCents,
          dueDate: input.dueDate,
          freeField: input.freeField,
          ...built,
        }
        for (const form of [built.barcode, built.line, built.lineDigits]) {
          const parsed = parseBoleto(form, { today })
          expect(parsed.ok && parsed.boleto).toMatchObject(expected)
        }
      }),
    )
  })

  it('reads back every convênio boleto it builds, from the barcode and from the line', () => {
    fc.assert(
      fc.property(convenioInput, (input) => {
        const built = buildConvenioBoleto(input)
        const inReais = input.valueType === 6 || input.valueType === 8
        const expected = {
          kind: 'convenio',
          segment: input.segment,
          valueType: input.valueType,
          amountCents: inReais && input.amountCents > 0 ? input.amountCents : undefined,
          referenceValue: inReais ? undefined : input.amountCents,
          companyField: input.companyField,
          dueDate: undefined,
          ...built,
        }
        for (const form of [built.barcode, built.line, built.lineDigits]) {
          const parsed = parseBoleto(form)
          expect(parsed.ok && parsed.boleto).toEqual(expected)
        }
      }),
    )
  })

  it('converts barcode → line → barcode and line → barcode → line without loss', () => {
    fc.assert(
      fc.property(anyCase, ({ built }) => {
        expect(boletoBarcodeToLine(built.barcode)).toBe(built.line)
        expect(boletoLineToBarcode(built.line)).toBe(built.barcode)
        expect(boletoLineToBarcode(boletoBarcodeToLine(built.barcode) ?? '')).toBe(built.barcode)
        expect(boletoBarcodeToLine(boletoLineToBarcode(built.lineDigits) ?? '')).toBe(built.line)
      }),
    )
  })

  it('rejects every single-digit change the check digits are designed to catch', () => {
    fc.assert(
      fc.property(anyCase, fc.constantFrom('barcode' as const, 'lineDigits' as const), fc.nat(), fc.integer({ min: 1, max: 9 }), (c, form, at, step) => {
        const s = c.built[form]
        const i = at % s.length
        const to = String((Number(s[i]) + step) % 10)
        const parsed = parseBoleto(s.slice(0, i) + to + s.slice(i + 1))
        if (mustCatchSubstitution(c, form, i, to)) expect(parsed.ok).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('rejects every adjacent transposition the check digits are designed to catch', () => {
    fc.assert(
      fc.property(anyCase, fc.constantFrom('barcode' as const, 'lineDigits' as const), fc.nat(), (c, form, at) => {
        const s = c.built[form]
        const i = at % (s.length - 1)
        fc.pre(s[i] !== s[i + 1])
        const parsed = parseBoleto(s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2))
        if (mustCatchTransposition(c, form, i)) expect(parsed.ok).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('does miss some changes when the bank general DV is 1, as the rule above allows', () => {
    // Not a wish, a fact of the layout: find one such boleto and one unseen substitution.
    let missed: string | undefined
    for (let n = 0; missed === undefined && n < 1000; n++) {
      const { barcode } = buildBankBoleto({ bankCode: '001', amountCents: n, freeField: '7'.repeat(25) })
      if (barcode[4] !== '1') continue
      for (let i = 5; i < 44 && missed === undefined; i++) {
        for (let d = 0; d <= 9; d++) {
          const changed = barcode.slice(0, i) + d + barcode.slice(i + 1)
          if (changed !== barcode && parseBoleto(changed).ok) missed = changed
        }
      }
    }
    expect(missed).toBeDefined()
  })

  it('never throws and never accepts anything but digits and separators', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const parsed = parseBoleto(input)
        if (/[^\s.\-‐‑‒–—0-9]/.test(input)) expect(parsed.ok).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws on near-boletos of digits and separators', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789 .-\n'), minLength: 40, maxLength: 60 }), (input) => {
        const parsed = parseBoleto(input)
        if (parsed.ok) expect([44, 47, 48]).toContain(input.replace(/[^0-9]/g, '').length)
      }),
    )
  })

  it('refuses anything longer than its cap, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 257, maxLength: 3000 }), (input) => {
        fc.pre(input.length > 256)
        expect(parseBoleto(input)).toEqual({ ok: false, reason: 'too-long' })
      }),
    )
  })
})
