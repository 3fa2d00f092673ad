import { bankMod11 } from './check-digits.js'
import { dueFactorOf } from './due-factor.js'
import {
  bankLineFromBarcode,
  convenioCheck,
  convenioLineFromBarcode,
  formatBankLine,
  formatConvenioLine,
} from './boleto-layout.js'

/**
 * Builders for tests, benchmarks and the image set: they compute every check digit.
 * Arguments come from our own code, not from customers, so a bad one throws RangeError.
 */

export interface BuiltBoleto {
  /** The 44 digits to draw as an ITF barcode. */
  barcode: string
  /** The linha digitável formatted as banks print it. */
  line: string
  /** The same line with no separators (47 or 48 digits). */
  lineDigits: string
}

export interface BankBoletoInput {
  /** Three-digit COMPE code, e.g. '341'. Never starts with 8: that digit marks arrecadação. */
  bankCode: string
  /** '9' for the real, '0' for another currency. @defaultValue '9' */
  currency?: '9' | '0'
  /** `yyyy-mm-dd`, from 2000-07-03 on; omitted gives factor 0000 (no due date). */
  dueDate?: string
  /** 1 to 9,999,999,999 cents; omitted or 0 leaves the amount blank. */
  amountCents?: number
  /** The 25 digits of the bank's own layout (agency, account, nosso número…). */
  freeField: string
}

export interface ConvenioBoletoInput {
  /** Segment digit (position 2): 1 prefeituras, 2 saneamento, 3 energia e gás, … */
  segment: number
  /** 6 or 8: amount in reais; 7 or 9: a reference quantity; 6 and 7 use Módulo 10. @defaultValue 6 */
  valueType?: 6 | 7 | 8 | 9
  /** Cents for value types 6 and 8, the raw quantity for 7 and 9; 0 to 99,999,999,999. @defaultValue 0 */
  amountCents?: number
  /** The 29 digits of positions 16–44: company (or CNPJ) identification and its own field. */
  companyField: string
}

export function buildBankBoleto(input: BankBoletoInput): BuiltBoleto {
  const { bankCode, currency = '9', dueDate, amountCents = 0, freeField } = input
  if (!/^[0-79][0-9]{2}$/.test(bankCode)) throw new RangeError(`bankCode must be 3 digits not starting with 8; got '${bankCode}'`)
  if (currency !== '9' && currency !== '0') throw new RangeError(`currency must be '9' or '0'; got '${String(currency)}'`)
  if (!/^[0-9]{25}$/.test(freeField)) throw new RangeError(`freeField must be 25 digits; got ${freeField.length} characters`)
  const factor = dueDate === undefined ? 0 : dueFactorOf(dueDate)
  if (factor === undefined) throw new RangeError(`dueDate must be a yyyy-mm-dd date from 2000-07-03 on; got '${dueDate}'`)
  const amount = digitsOf(amountCents, 10, 'amountCents')
  const withoutDv = bankCode + currency + String(factor).padStart(4, '0') + amount + freeField
  const barcode = withoutDv.slice(0, 4) + bankMod11(withoutDv) + withoutDv.slice(4)
  const lineDigits = bankLineFromBarcode(barcode)
  return { barcode, line: formatBankLine(lineDigits), lineDigits }
}

export function buildConvenioBoleto(input: ConvenioBoletoInput): BuiltBoleto {
  const { segment, valueType = 6, amountCents = 0, companyField } = input
  if (!Number.isInteger(segment) || segment < 0 || segment > 9) throw new RangeError(`segment must be a digit; got ${segment}`)
  const check = convenioCheck(String(valueType))
  if (check === undefined) throw new RangeError(`valueType must be 6, 7, 8 or 9; got ${String(valueType)}`)
  if (!/^[0-9]{29}$/.test(companyField)) throw new RangeError(`companyField must be 29 digits; got ${companyField.length} characters`)
  const withoutDv = `8${segment}${valueType}` + digitsOf(amountCents, 11, 'amountCents') + companyField
  const barcode = withoutDv.slice(0, 3) + check(withoutDv) + withoutDv.slice(3)
  const lineDigits = convenioLineFromBarcode(barcode, check)
  return { barcode, line: formatConvenioLine(lineDigits), lineDigits }
}

function digitsOf(value: number, width: number, name: string): string {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 10 ** width) {
    throw new RangeError(`${name} must be an integer from 0 to ${10 ** width - 1}; got ${value}`)
  }
  return String(value).padStart(width, '0')
}
