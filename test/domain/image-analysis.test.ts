import { describe, expect, it } from 'vitest'
import {
  buildBankBoleto,
  buildPixCode,
  describeImage,
  findingsFromCodes,
  findingsFromVision,
  type ImageAnalysis,
} from '../../src/domain/index.js'

const boleto = buildBankBoleto({ bankCode: '001', dueDate: '2026-12-10', amountCents: 12_345, freeField: '0000001234567890123456789' })
const pix = buildPixCode({ key: 'financeiro@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 5_000 })
const TODAY = '2026-11-25'

describe('findingsFromCodes', () => {
  it('verifies a boleto barcode and a PIX code, and keeps any other code as read', () => {
    const findings = findingsFromCodes(
      [
        { format: 'ITF', text: boleto.barcode },
        { format: 'QRCode', text: pix },
        { format: 'QRCode', text: 'https://example.com/cardapio' },
      ],
      TODAY,
    )
    expect(findings.map((f) => f.kind)).toEqual(['boleto', 'pix', 'code'])
    const [b, p] = findings
    expect(b).toMatchObject({ source: 'barcode', boleto: { kind: 'bank', bankName: 'Banco do Brasil', amountCents: 12_345, dueDate: '2026-12-10', line: boleto.line } })
    expect(p).toMatchObject({ source: 'barcode', pix: { merchantName: 'Loja Exemplo', amountCents: 5_000, key: 'financeiro@loja.com.br' } })
  })

  it('reads the same symbol found twice once', () => {
    expect(findingsFromCodes([{ format: 'ITF', text: boleto.barcode }, { format: 'ITF', text: boleto.barcode }], TODAY)).toHaveLength(1)
  })

  it('does not call a barcode with a wrong check digit a boleto', () => {
    const last = boleto.barcode.at(-1) === '0' ? '1' : '0'
    const [f] = findingsFromCodes([{ format: 'ITF', text: boleto.barcode.slice(0, -1) + last }], TODAY)
    expect(f?.kind).toBe('code')
  })
})

describe('findingsFromVision', () => {
  it('keeps a transcribed line only when its check digits hold', () => {
    expect(findingsFromVision({ line: boleto.lineDigits }, TODAY)).toMatchObject([{ kind: 'boleto', source: 'vision' }])
    const wrong = boleto.lineDigits.slice(0, 5) + ((Number(boleto.lineDigits[5]) + 1) % 10) + boleto.lineDigits.slice(6)
    expect(findingsFromVision({ line: wrong }, TODAY)).toEqual([])
    expect(findingsFromVision({ pixCode: pix.slice(0, -1) + (pix.endsWith('0') ? '1' : '0') }, TODAY)).toEqual([])
    expect(findingsFromVision(undefined, TODAY)).toEqual([])
  })
})

describe('describeImage', () => {
  it('gives the assistant the figures a customer asks about', () => {
    const analysis: ImageAnalysis = { outcome: 'read', findings: findingsFromCodes([{ format: 'ITF', text: boleto.barcode }, { format: 'QRCode', text: pix }], TODAY) }
    const text = describeImage(analysis)
    expect(text).toContain('boleto (read from the barcode)')
    expect(text).toContain('Banco do Brasil')
    expect(text).toMatch(/R\$\s123,45/)
    expect(text).toContain('due 2026-12-10')
    expect(text).toContain(boleto.line)
    expect(text).toContain('PIX QR code')
    expect(text).toMatch(/R\$\s50,00/)
  })

  it('says what happened when nothing was read', () => {
    expect(describeImage(null)).toBe('[image]')
    expect(describeImage({ outcome: 'nothing', findings: [] })).toBe('[image: no payment code found]')
    expect(describeImage({ outcome: 'failed', findings: [], error: 'ATD_X' })).toBe('[image: could not be analysed]')
    expect(describeImage({ outcome: 'described', findings: [], description: { text: 'a pair of shoes', kind: 'product', model: 'm' } }))
      .toBe('[image: looks like: a pair of shoes]')
  })
})
