import { describe, expect, it } from 'vitest'
import { buildPixCode, classifyPixKey, parsePixCode, MAX_PIX_INPUT_CHARS } from '../../src/domain/index.js'
import { referenceCrc, sealed } from '../helpers/crc16-reference.js'

/*
 * A static code built by hand, field by field (ID, length, value):
 *   00 02 01 · 26 46 [00 14 br.gov.bcb.pix · 01 11 12345678909 · 02 09 "Pedido 42"]
 *   (18 + 15 + 13 = 46) · 52 04 0000 · 53 03 986 · 54 05 25.90 · 58 02 BR
 *   · 59 15 PADARIA ESTRELA · 60 08 CAMPINAS · 62 11 [05 07 PED0042] · 63 04 4538
 * The key is a fictional CPF: 1·10 + 2·9 + … + 9·2 = 210, 210 mod 11 = 1 → DV 0;
 * 1·11 + 2·10 + … + 0·2 = 255, 255 mod 11 = 2 → DV 11 - 2 = 9.
 */
const STATIC_FIELDS =
  '000201' + '2646' + '0014br.gov.bcb.pix' + '011112345678909' + '0209Pedido 42' + '52040000' + '5303986' +
  '540525.90' + '5802BR' + '5915PADARIA ESTRELA' + '6008CAMPINAS' + '6211' + '0507PED0042'
const STATIC_CODE = `${STATIC_FIELDS}63044538`

/* A dynamic code: 01 02 12 (not reusable) and 26 holds a URL (25 56 …) instead of a key. */
const URL = 'pix.example.com/v2/cobv/7d9f0c2e4a5b4c6d8e9f0a1b2c3d4e5f'
const DYNAMIC_FIELDS =
  '000201' + '010212' + '2678' + '0014br.gov.bcb.pix' + `2556${URL}` + '52040000' + '5303986' + '5406150.00' +
  '5802BR' + '5917CLINICA BOA VISTA' + '6006RECIFE' + '6207' + '0503***'

/** The static code with one field's text replaced, resealed with a correct CRC. */
const withStatic = (from: string, to: string) => sealed(STATIC_FIELDS.replace(from, to))

describe('parsePixCode', () => {
  it('computes the CRC our independent reference does', () => {
    expect(referenceCrc('123456789')).toBe('29B1')
    expect(sealed(STATIC_FIELDS)).toBe(STATIC_CODE)
  })

  it('reads a hand-built static code', () => {
    expect(parsePixCode(STATIC_CODE)).toEqual({
      ok: true,
      pix: {
        kind: 'static',
        key: '12345678909',
        keyType: 'cpf',
        merchantName: 'PADARIA ESTRELA',
        merchantCity: 'CAMPINAS',
        amountCents: 2590,
        txid: 'PED0042',
        description: 'Pedido 42',
      },
    })
  })

  it('reads a dynamic code, whose txid "***" means none', () => {
    expect(parsePixCode(sealed(DYNAMIC_FIELDS))).toEqual({
      ok: true,
      pix: { kind: 'dynamic', url: URL, merchantName: 'CLINICA BOA VISTA', merchantCity: 'RECIFE', amountCents: 15000 },
    })
  })

  it('ignores whitespace around a pasted code, the case of the GUI and of the CRC', () => {
    expect(parsePixCode(`\n  ${STATIC_CODE}\r\n`).ok).toBe(true)
    expect(parsePixCode(withStatic('br.gov.bcb.pix', 'BR.GOV.BCB.PIX')).ok).toBe(true)
    const dynamic = sealed(DYNAMIC_FIELDS)
    expect(/[A-F]/.test(dynamic.slice(-4))).toBe(true)
    expect(parsePixCode(dynamic.slice(0, -4) + dynamic.slice(-4).toLowerCase()).ok).toBe(true)
  })

  it('reads amounts as exact cents, and leaves out a zero amount', () => {
    const cents = (amount: string) => {
      const parsed = parsePixCode(withStatic('540525.90', `54${String(amount.length).padStart(2, '0')}${amount}`))
      return parsed.ok ? parsed.pix.amountCents : parsed
    }
    expect(cents('10')).toBe(1000)
    expect(cents('10.5')).toBe(1050)
    expect(cents('0.07')).toBe(7)
    expect(cents('1234567890.99')).toBe(123456789099)
    expect(cents('0.00')).toBeUndefined()
    for (const bad of ['1,50', '1.234', '-1.00', '.50', '1e3', '12345678901']) {
      expect(cents(bad)).toEqual({ ok: false, reason: 'format', field: '54' })
    }
  })

  it('says which rule a code broke', () => {
    expect(parsePixCode(STATIC_CODE.slice(0, -1) + '9')).toEqual({ ok: false, reason: 'crc' })
    expect(parsePixCode(STATIC_CODE.replace('ESTRELA', 'ESTRELO'))).toEqual({ ok: false, reason: 'crc' })
    expect(parsePixCode('hello')).toEqual({ ok: false, reason: 'not-pix' })
    const otherScheme = STATIC_FIELDS.replace('2646', '2647').replace('0014br.gov.bcb.pix', '0015com.example.pay')
    expect(parsePixCode(sealed(otherScheme))).toEqual({ ok: false, reason: 'not-pix' })
    expect(parsePixCode(withStatic('5303986', '5303840'))).toEqual({ ok: false, reason: 'format', field: '53' })
    expect(parsePixCode(withStatic('5802BR', '5802PT'))).toEqual({ ok: false, reason: 'format', field: '58' })
    expect(parsePixCode(withStatic('5915PADARIA ESTRELA', ''))).toEqual({ ok: false, reason: 'format', field: '59' })
    expect(parsePixCode(withStatic('5915PADARIA ESTRELA', '5915PADARIA ESTRELA5915PADARIA ESTRELA'))).toEqual({ ok: false, reason: 'format', field: '59' })
    expect(parsePixCode(STATIC_CODE.replace('6211', '6212'))).toEqual({ ok: false, reason: 'format' })
    expect(parsePixCode(STATIC_CODE.slice(0, -8))).toEqual({ ok: false, reason: 'format', field: '63' })
  })

  it('wants exactly one of a key and a URL in the Pix account', () => {
    const both = STATIC_FIELDS.replace('2646', '2653').replace('0209Pedido 42', '0209Pedido 422503a.b')
    expect(parsePixCode(sealed(both))).toEqual({ ok: false, reason: 'format', field: '26' })
    const neither = STATIC_FIELDS.replace('2646', '2631').replace('011112345678909', '')
    expect(parsePixCode(sealed(neither))).toEqual({ ok: false, reason: 'format', field: '26' })
  })

  it('reads text beyond ASCII by characters, as the EMV length counts them', () => {
    // "SÃO PAULO" is 9 characters (10 bytes in UTF-8); the CRC covers the UTF-8 bytes.
    const fields = STATIC_FIELDS.replace('6008CAMPINAS', '6009SÃO PAULO')
    const parsed = parsePixCode(sealed(fields))
    expect(parsed.ok && parsed.pix.merchantCity).toBe('SÃO PAULO')
  })

  it('refuses long, control-laden and malformed unicode input without throwing', () => {
    // Whitespace around a code is forgiven up to twice the cap; the code itself gets the cap.
    expect(parsePixCode(STATIC_CODE + ' '.repeat(MAX_PIX_INPUT_CHARS)).ok).toBe(true)
    expect(parsePixCode(STATIC_CODE + ' '.repeat(2 * MAX_PIX_INPUT_CHARS))).toEqual({ ok: false, reason: 'too-long' })
    expect(parsePixCode(`000201${'x'.repeat(MAX_PIX_INPUT_CHARS)}`)).toEqual({ ok: false, reason: 'too-long' })
    expect(parsePixCode('0'.repeat(50_000_000))).toEqual({ ok: false, reason: 'too-long' })
    expect(parsePixCode(withStatic('PADARIA', 'PADAR\u0000A'))).toEqual({ ok: false, reason: 'format' })
    expect(parsePixCode(withStatic('PADARIA', 'PADAR\u202eA'))).toEqual({ ok: false, reason: 'format' })
    expect(parsePixCode(STATIC_CODE.replace('PADARIA', 'PADAR\ud800A'))).toEqual({ ok: false, reason: 'format' })
    expect(parsePixCode(null as unknown as string)).toEqual({ ok: false, reason: 'format' })
  })
})

describe('buildPixCode', () => {
  it('builds exactly the hand-built codes', () => {
    const common = { merchantName: 'PADARIA ESTRELA', merchantCity: 'CAMPINAS' }
    expect(buildPixCode({ ...common, key: '12345678909', description: 'Pedido 42', amountCents: 2590, txid: 'PED0042' })).toBe(STATIC_CODE)
    expect(buildPixCode({ url: URL, amountCents: 15000, merchantName: 'CLINICA BOA VISTA', merchantCity: 'RECIFE' })).toBe(sealed(DYNAMIC_FIELDS))
  })

  it('removes accents and refuses any other character outside printable ASCII', () => {
    const code = buildPixCode({ key: 'loja@example.com', merchantName: 'Açaí do João', merchantCity: 'São Paulo' })
    const parsed = parsePixCode(code)
    expect(parsed.ok && [parsed.pix.merchantName, parsed.pix.merchantCity]).toEqual(['Acai do Joao', 'Sao Paulo'])
    expect(() => buildPixCode({ key: 'loja@example.com', merchantName: '北京烤鸭', merchantCity: 'Sao Paulo' })).toThrow(RangeError)
    expect(() => buildPixCode({ key: 'loja@example.com', merchantName: 'Loja 🍕', merchantCity: 'Sao Paulo' })).toThrow(RangeError)
  })

  it('refuses what the BR Code cannot hold', () => {
    const base = { key: 'loja@example.com', merchantName: 'Loja', merchantCity: 'Natal' }
    expect(() => buildPixCode({ ...base, merchantName: 'A'.repeat(26) })).toThrow(RangeError)
    expect(() => buildPixCode({ ...base, merchantCity: 'B'.repeat(16) })).toThrow(RangeError)
    expect(() => buildPixCode({ ...base, url: URL })).toThrow(RangeError)
    expect(() => buildPixCode({ merchantName: 'Loja', merchantCity: 'Natal' })).toThrow(RangeError)
    expect(() => buildPixCode({ url: URL, merchantName: 'Loja', merchantCity: 'Natal', txid: 'ABC' })).toThrow(RangeError)
    expect(() => buildPixCode({ ...base, txid: 'has space' })).toThrow(RangeError)
    expect(() => buildPixCode({ ...base, amountCents: 0 })).toThrow(RangeError)
    expect(() => buildPixCode({ ...base, amountCents: 10.5 })).toThrow(RangeError)
    expect(() => buildPixCode({ ...base, description: 'x'.repeat(60) })).toThrow(RangeError)
  })
})

describe('classifyPixKey', () => {
  it('tells the five kinds of key apart', () => {
    expect(classifyPixKey('12345678909')).toBe('cpf')
    // 11.222.333/0001-81: 102 mod 11 = 3 → DV 8; 120 mod 11 = 10 → DV 1.
    expect(classifyPixKey('11222333000181')).toBe('cnpj')
    // Alphanumeric CNPJ (letters count as ASCII - 48, A = 17): AB12CD340001 gives
    // 542 mod 11 = 3 → DV 8, then 491 mod 11 = 7 → DV 4.
    expect(classifyPixKey('AB12CD34000184')).toBe('cnpj')
    expect(classifyPixKey('+5511987654321')).toBe('phone')
    expect(classifyPixKey('contato@padaria.example')).toBe('email')
    expect(classifyPixKey('7d9f0c2e-4a5b-4c6d-8e9f-0a1b2c3d4e5f')).toBe('evp')
  })

  it('calls anything else unknown, check digits and repeated digits included', () => {
    for (const key of ['12345678900', '11111111111', '11222333000180', '00000000000000', '5511987654321', 'not a key', '']) {
      expect(classifyPixKey(key)).toBe('unknown')
    }
  })
})
