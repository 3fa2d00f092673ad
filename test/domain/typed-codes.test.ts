import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { buildBankBoleto, buildConvenioBoleto, buildPixCode, findTypedCodes } from '../../src/domain/index.js'

const TODAY = '2026-11-25'
const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
const convenio = buildConvenioBoleto({ segment: 3, valueType: 8, amountCents: 18_990, companyField: '00010000000000000000000020261' })
const pix = buildPixCode({ key: 'financeiro@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 5_000 })

/** Changes one digit at `at` (0-based among the digits) of a formatted code. */
function changeDigit(code: string, at: number): string {
  let seen = -1
  return code.replace(/\d/g, (d) => (++seen === at ? String((Number(d) + 1) % 10) : d))
}

describe('findTypedCodes', () => {
  it.each([
    ['the formatted line', boleto.line],
    ['the line without separators', boleto.lineDigits],
    ['the line with spaces only', boleto.line.replace(/\./g, ' ')],
    ['the 44-digit barcode', boleto.barcode],
  ])('reads a bank boleto from %s inside a sentence', (_, code) => {
    const typed = findTypedCodes(`segue o código: ${code} pode ver o valor?`, TODAY)
    expect(typed.refused).toEqual([])
    expect(typed.findings).toMatchObject([{ kind: 'boleto', source: 'typed', boleto: { amountCents: 123_456, dueDate: '2026-12-10', bankName: 'Itaú' } }])
    expect(typed.rest).toBe('segue o código:   pode ver o valor?')
  })

  it('reads a 48-digit convênio line', () => {
    const typed = findTypedCodes(convenio.line, TODAY)
    expect(typed.findings).toMatchObject([{ kind: 'boleto', boleto: { kind: 'convenio', amountCents: 18_990, segment: 3 } }])
  })

  it('reads a PIX copia-e-cola whose merchant name holds spaces', () => {
    const typed = findTypedCodes(`paga esse pix ${pix} obrigado`, TODAY)
    expect(typed.findings).toMatchObject([{ kind: 'pix', source: 'typed', pix: { merchantName: 'Loja Exemplo', amountCents: 5_000, keyType: 'email' } }])
    expect(typed.rest).toBe('paga esse pix   obrigado')
  })

  it('names the field whose check digit fails in a tampered line, and reads no amount', () => {
    // Digit 3 of the line (in field 1) changed: field 1's DV no longer matches.
    const typed = findTypedCodes(changeDigit(boleto.line, 4), TODAY)
    expect(typed.findings).toEqual([])
    expect(typed.refused).toEqual([{ kind: 'boleto', reason: 'check-digit', check: 'field-1', digits: 47 }])
  })

  it('refuses a PIX code with a broken CRC', () => {
    const tampered = pix.replace('Loja Exemplo', 'Loja Exemplx')
    expect(findTypedCodes(tampered, TODAY)).toMatchObject({ findings: [], refused: [{ kind: 'pix', reason: 'crc' }] })
  })

  it('reports a run of 40+ digits of the wrong length', () => {
    expect(findTypedCodes(boleto.lineDigits.slice(0, 45), TODAY).refused).toEqual([{ kind: 'boleto', reason: 'length', check: undefined, digits: 45 }])
  })

  it('leaves phone numbers, CPFs and prices alone', () => {
    const text = 'meu cpf é 123.456.789-09, fone (11) 91234-5678, paguei R$ 1.234,56 no dia 10/12/2026'
    expect(findTypedCodes(text, TODAY)).toEqual({ findings: [], refused: [], rest: text })
  })

  it('never yields a finding from a line with one digit changed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 46 }), (at) => {
        const typed = findTypedCodes(changeDigit(boleto.lineDigits, at), TODAY)
        // A single changed digit is caught by a field DV or the general DV, except in the DV-free
        // positions a DV covers: either way no finding may carry a different amount or date.
        return typed.findings.every((f) => f.kind === 'boleto' && f.boleto.lineDigits === boleto.lineDigits)
      }),
    )
  })

  it('never throws on any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600 }), (text) => {
      findTypedCodes(text, TODAY)
    }))
  })
})
