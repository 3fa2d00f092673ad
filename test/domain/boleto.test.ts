import { describe, expect, it } from 'vitest'
import { buildBankBoleto, buildConvenioBoleto, parseBoleto, MAX_BOLETO_INPUT_CHARS } from '../../src/domain/index.js'

/*
 * An Itaú boleto built by hand: bank 341, currency 9, due 2025-03-10, R$ 1.234,56, and a
 * free field shaped like Itaú's (carteira 109, nosso número 12345678, DAC 0, agência 0057,
 * conta 12345, DAC 6, 000).
 *   factor: 2025-02-22 is 1000 after the rollover, so 2025-03-10 (16 days on) is 1016.
 *   barcode without DV: 341 9 1016 0000123456 1091234567800057123456000 (43 digits)
 *   general DV: weights 2..9 from the right give a sum of 700; 700 mod 11 = 7; 11 - 7 = 4.
 *   field 1 data 341910912: weights 2,1,2,1… from the right give 3·2=6, 4, 1·2=2, 9, 0,
 *     1·2=2, 9·2=18→9, 1, 2·2=4: sum 37, DV 10 - 7 = 3.
 *   field 2 data 3456780005: sum 34, DV 6.   field 3 data 7123456000: sum 28, DV 2.
 */
const ITAU_BARCODE = '34194101600001234561091234567800057123456000'
const ITAU_LINE = '34191.09123 34567.800056 71234.560002 4 10160000123456'

/*
 * A water bill (segment 2) with value type 6 (amount in reais, Módulo 10), R$ 87,90,
 * company 0123 and its own field 2025030900000004567800012.
 *   without DV: 826 00000008790 01232025030900000004567800012; Módulo 10 sum 97, DV 3.
 *   blocks: 82630000000 → sum 15, DV 5; 87900123202 → 39, DV 1; 50309000000 → 16, DV 4;
 *   04567800012 → 29, DV 1.
 */
const WATER_BARCODE = '82630000000879001232025030900000004567800012'
const WATER_LINE = '82630000000-5 87900123202-1 50309000000-4 04567800012-1'

/*
 * The same bill as a government fee (segment 5) with value type 8 (Módulo 11).
 *   general: weights 2..9 give 528 = 48·11, remainder 0, so DV 0 (remainders 0 and 1 both
 *   give 0). blocks: 85800000000 → 63, r 8, DV 3; 87900123202 → 117, r 7, DV 4;
 *   50309000000 → 98, r 10, DV 1; 04567800012 → 195, r 8, DV 3.
 */
const FEE_BARCODE = '85800000000879001232025030900000004567800012'
const FEE_LINE = '85800000000-3 87900123202-4 50309000000-1 04567800012-3'

describe('parseBoleto, bank boletos', () => {
  it('reads the barcode of a hand-checked Itaú boleto', () => {
    expect(parseBoleto(ITAU_BARCODE)).toEqual({
      ok: true,
      boleto: {
        kind: 'bank',
        barcode: ITAU_BARCODE,
        line: ITAU_LINE,
        lineDigits: ITAU_LINE.replace(/[ .]/g, ''),
        bankCode: '341',
        bankName: 'Itaú',
        currency: '9',
        amountCents: 123456,
        dueDate: '2025-03-10',
        freeField: '1091234567800057123456000',
      },
    })
  })

  it('reads the same boleto from its line, however it was typed or pasted', () => {
    for (const typed of [ITAU_LINE, ITAU_LINE.replace(/[ .]/g, ''), ITAU_LINE.replaceAll(' ', '\n'), ` ${ITAU_LINE.replaceAll('.', '-')}\t`]) {
      const parsed = parseBoleto(typed)
      expect(parsed.ok && parsed.boleto.barcode).toBe(ITAU_BARCODE)
    }
  })

  it('builds exactly the boleto computed by hand', () => {
    const built = buildBankBoleto({ bankCode: '341', dueDate: '2025-03-10', amountCents: 123456, freeField: '1091234567800057123456000' })
    expect(built).toEqual({ barcode: ITAU_BARCODE, line: ITAU_LINE, lineDigits: ITAU_LINE.replace(/[ .]/g, '') })
  })

  it('names the field whose check digit is wrong', () => {
    expect(parseBoleto(ITAU_LINE.replace('34191.09123', '34191.09124'))).toEqual({ ok: false, reason: 'check-digit', check: 'field-1' })
    expect(parseBoleto(ITAU_LINE.replace('34567.800056', '34567.800057'))).toEqual({ ok: false, reason: 'check-digit', check: 'field-2' })
    expect(parseBoleto(ITAU_LINE.replace('71234.560002', '71234.560003'))).toEqual({ ok: false, reason: 'check-digit', check: 'field-3' })
    // The amount (field 5) is covered only by the general DV.
    expect(parseBoleto(ITAU_LINE.replace('10160000123456', '10160000123457'))).toEqual({ ok: false, reason: 'check-digit', check: 'general' })
    expect(parseBoleto(ITAU_BARCODE.replace(/^34194/, '34195'))).toEqual({ ok: false, reason: 'check-digit', check: 'general' })
  })

  it('leaves out the name of a bank outside the small table, and a blank amount or due date', () => {
    const built = buildBankBoleto({ bankCode: '422', freeField: '0'.repeat(25) })
    expect(built.barcode.slice(5, 19)).toBe('0'.repeat(14))
    const parsed = parseBoleto(built.line)
    expect(parsed.ok && parsed.boleto).toMatchObject({ kind: 'bank', bankCode: '422', bankName: undefined, amountCents: undefined, dueDate: undefined })
  })

  it('rejects a currency code other than 9 (real) or 0', () => {
    const built = buildBankBoleto({ bankCode: '001', currency: '0', freeField: '1'.repeat(25) })
    expect(parseBoleto(built.barcode).ok).toBe(true)
    expect(parseBoleto(built.barcode.slice(0, 3) + '5' + built.barcode.slice(4))).toEqual({ ok: false, reason: 'currency' })
  })
})

describe('parseBoleto, convênio boletos', () => {
  it('reads a hand-checked Módulo 10 water bill from its barcode and its line', () => {
    const expected = {
      kind: 'convenio',
      barcode: WATER_BARCODE,
      line: WATER_LINE,
      lineDigits: WATER_LINE.replace(/[ -]/g, ''),
      segment: 2,
      valueType: 6,
      amountCents: 8790,
      companyField: '01232025030900000004567800012',
    }
    expect(parseBoleto(WATER_BARCODE)).toEqual({ ok: true, boleto: expected })
    expect(parseBoleto(WATER_LINE)).toEqual({ ok: true, boleto: expected })
    expect(buildConvenioBoleto({ segment: 2, valueType: 6, amountCents: 8790, companyField: expected.companyField }).line).toBe(WATER_LINE)
  })

  it('reads a hand-checked Módulo 11 fee whose remainder 0 gives DV 0', () => {
    const parsed = parseBoleto(FEE_LINE)
    expect(parsed.ok && parsed.boleto).toMatchObject({ kind: 'convenio', barcode: FEE_BARCODE, segment: 5, valueType: 8, amountCents: 8790 })
    expect(buildConvenioBoleto({ segment: 5, valueType: 8, amountCents: 8790, companyField: '01232025030900000004567800012' }).line).toBe(FEE_LINE)
  })

  it('names the block whose check digit is wrong', () => {
    expect(parseBoleto(WATER_LINE.replace('-5 ', '-6 '))).toEqual({ ok: false, reason: 'check-digit', check: 'block-1' })
    expect(parseBoleto(FEE_LINE.replace('50309000000-1', '50309000000-2'))).toEqual({ ok: false, reason: 'check-digit', check: 'block-3' })
    expect(parseBoleto(FEE_LINE.replace('04567800012-3', '04567800012-0'))).toEqual({ ok: false, reason: 'check-digit', check: 'block-4' })
    expect(parseBoleto(WATER_BARCODE.replace(/^8263/, '8264'))).toEqual({ ok: false, reason: 'check-digit', check: 'general' })
  })

  it('reports a reference quantity (value types 7 and 9) apart from an amount in reais', () => {
    const built = buildConvenioBoleto({ segment: 1, valueType: 9, amountCents: 1500, companyField: '2'.repeat(29) })
    const parsed = parseBoleto(built.barcode)
    expect(parsed.ok && parsed.boleto).toMatchObject({ valueType: 9, amountCents: undefined, referenceValue: 1500 })
  })

  it('rejects a value-type digit outside 6–9', () => {
    expect(parseBoleto(`825${WATER_BARCODE.slice(3)}`)).toEqual({ ok: false, reason: 'value-type' })
    expect(parseBoleto(WATER_LINE.replace(/^826/, '825'))).toEqual({ ok: false, reason: 'value-type' })
  })
})

describe('the due factor around the 2025 rollover', () => {
  const dueOf = (dueDate: string, today?: string) => {
    const built = buildBankBoleto({ bankCode: '237', dueDate, amountCents: 100, freeField: '3'.repeat(25) })
    const parsed = parseBoleto(built.barcode, today === undefined ? {} : { today })
    return { factor: built.barcode.slice(5, 9), read: parsed.ok ? parsed.boleto.dueDate : parsed.reason }
  }

  it('ends the first cycle with 9999 on 2025-02-21 and restarts at 1000 on 2025-02-22', () => {
    expect(dueOf('2000-07-03', '2001-01-01')).toEqual({ factor: '1000', read: '2000-07-03' })
    expect(dueOf('2025-02-20')).toEqual({ factor: '9998', read: '2025-02-20' })
    expect(dueOf('2025-02-21')).toEqual({ factor: '9999', read: '2025-02-21' })
    expect(dueOf('2025-02-22')).toEqual({ factor: '1000', read: '2025-02-22' })
    expect(dueOf('2025-02-23')).toEqual({ factor: '1001', read: '2025-02-23' })
  })

  it('reads both sides of the rollover the same way from any day near it', () => {
    for (const today of ['2024-06-01', '2025-02-21', '2025-02-22', '2026-07-01']) {
      expect(dueOf('2025-02-21', today).read).toBe('2025-02-21')
      expect(dueOf('2025-02-22', today).read).toBe('2025-02-22')
    }
  })

  it('rolls over again after 9,000 days, on 2049-10-14', () => {
    expect(dueOf('2049-10-13', '2049-10-01')).toEqual({ factor: '9999', read: '2049-10-13' })
    expect(dueOf('2049-10-14', '2049-10-01')).toEqual({ factor: '1000', read: '2049-10-14' })
  })

  it("reads a factor in FEBRABAN's window around today, as its 2014 example does", () => {
    // FEBRABAN's worked example: on 2014-03-13 the oldest payable due date was 2005-12-24
    // (factor 3000) and the farthest 2029-04-03 (factor 2501 of the next cycle).
    expect(dueOf('2005-12-24', '2014-03-13')).toEqual({ factor: '3000', read: '2005-12-24' })
    expect(dueOf('2029-04-03', '2014-03-13')).toEqual({ factor: '2501', read: '2029-04-03' })
  })

  it('reads a factor from 3,250 days before today to 5,749 days after it', () => {
    // Today 2026-01-01: 3,250 days before is 2017-02-07, 5,749 after is 2041-09-28, and
    // the two days just outside share their factors (9,000 days apart) with those inside.
    expect(dueOf('2017-02-07', '2026-01-01').read).toBe('2017-02-07')
    expect(dueOf('2017-02-06', '2026-01-01').read).toBe('2041-09-28')
    expect(dueOf('2041-09-28', '2026-01-01').read).toBe('2041-09-28')
    expect(dueOf('2041-09-29', '2026-01-01').read).toBe('2017-02-07')
  })

  it('without a today, reads factors as of the rollover day: 2016-03-31 to 2040-11-19', () => {
    expect(dueOf('2016-03-31').read).toBe('2016-03-31')
    expect(dueOf('2016-03-30').read).toBe('2040-11-19')
    expect(dueOf('2040-11-19').read).toBe('2040-11-19')
    expect(dueOf('2040-11-20').read).toBe('2016-03-31')
  })

  it('refuses to build a due date before the first factor, or one that does not exist', () => {
    expect(() => buildBankBoleto({ bankCode: '237', dueDate: '2000-07-02', freeField: '3'.repeat(25) })).toThrow(RangeError)
    expect(() => buildBankBoleto({ bankCode: '237', dueDate: '2025-02-30', freeField: '3'.repeat(25) })).toThrow(RangeError)
  })

  it('throws on a malformed today, which only our own code can pass', () => {
    expect(() => parseBoleto(ITAU_BARCODE, { today: '13/03/2014' })).toThrow(RangeError)
  })
})

describe('parseBoleto, malformed and hostile input', () => {
  it('says which rule the input broke', () => {
    expect(parseBoleto('')).toEqual({ ok: false, reason: 'length' })
    expect(parseBoleto(ITAU_BARCODE.slice(1))).toEqual({ ok: false, reason: 'length' })
    expect(parseBoleto(`${ITAU_BARCODE}0`)).toEqual({ ok: false, reason: 'length' })
    expect(parseBoleto(ITAU_BARCODE.replace('1', 'l'))).toEqual({ ok: false, reason: 'not-digits' })
    // 47 digits starting with 8, 48 not: the digit count and the layout disagree.
    expect(parseBoleto(`8${ITAU_LINE.slice(1)}`)).toEqual({ ok: false, reason: 'layout' })
    expect(parseBoleto(`1${WATER_LINE.slice(1)}`)).toEqual({ ok: false, reason: 'layout' })
  })

  it('refuses long input before looking at it', () => {
    expect(parseBoleto(' '.repeat(MAX_BOLETO_INPUT_CHARS) + ITAU_BARCODE)).toEqual({ ok: false, reason: 'too-long' })
    expect(parseBoleto('9'.repeat(10_000_000))).toEqual({ ok: false, reason: 'too-long' })
  })

  it('rejects digits of other scripts, control characters and emoji', () => {
    for (const hostile of ['٣٤١٩٤'.repeat(9), `${ITAU_BARCODE}\u0000`, `\u202e${ITAU_BARCODE}`, `${ITAU_BARCODE.slice(0, 20)}🧾${ITAU_BARCODE.slice(20)}`, '３４１９４'.repeat(9)]) {
      expect(parseBoleto(hostile)).toEqual({ ok: false, reason: 'not-digits' })
    }
    expect(parseBoleto(undefined as unknown as string)).toEqual({ ok: false, reason: 'not-digits' })
  })
})
