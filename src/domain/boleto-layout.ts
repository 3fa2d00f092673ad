import { convenioMod11, mod10 } from './check-digits.js'

/**
 * Where each part sits in the two FEBRABAN layouts, and the mechanical moves between the
 * 44-digit barcode and the linha digitável. Nothing here validates; `boleto.ts` does.
 *
 * Cobrança bancária barcode (positions 1-based, as the layout numbers them):
 *   1–3 bank · 4 currency · 5 general DV · 6–9 due factor · 10–19 amount · 20–44 free field
 * Its 47-digit line: five fields, the first three each closed by a Módulo 10 DV:
 *   bank, currency, free 1–5, DV | free 6–15, DV | free 16–25, DV | general DV | factor, amount
 *
 * Arrecadação (convênio) barcode: 1 product "8" · 2 segment · 3 value type · 4 general DV ·
 *   5–15 value · 16–44 company identification and the company's own field.
 * Its 48-digit line: the barcode in four blocks of 11, each followed by its own DV, computed
 *   with Módulo 10 or 11 as the value type says.
 */

export const BARCODE_DIGITS = 44
export const BANK_LINE_DIGITS = 47
export const CONVENIO_LINE_DIGITS = 48

/** The three data fields of a bank line, as [start, end) in the barcode. */
const BANK_FIELDS: readonly (readonly [number, number][])[] = [
  [[0, 4], [19, 24]],
  [[24, 34]],
  [[34, 44]],
]

function bankFieldData(barcode: string): string[] {
  return BANK_FIELDS.map((parts) => parts.map(([from, to]) => barcode.slice(from, to)).join(''))
}

export function bankLineFromBarcode(barcode: string): string {
  const fields = bankFieldData(barcode).map((data) => data + mod10(data))
  return fields.join('') + barcode[4] + barcode.slice(5, 19)
}

/** Drops the three field DVs and moves the free field back behind the amount. */
export function bankBarcodeFromLine(line: string): string {
  return line.slice(0, 4) + line[32] + line.slice(33, 47) + line.slice(4, 9) + line.slice(10, 20) + line.slice(21, 31)
}

/** `AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K UUUUVVVVVVVVVV`, as banks print it. */
export function formatBankLine(line: string): string {
  return (
    `${line.slice(0, 5)}.${line.slice(5, 10)} ${line.slice(10, 15)}.${line.slice(15, 21)} ` +
    `${line.slice(21, 26)}.${line.slice(26, 32)} ${line[32]} ${line.slice(33, 47)}`
  )
}

/** Whether the value-type digit (position 3) selects Módulo 10 (6, 7) or Módulo 11 (8, 9). */
export function convenioCheck(valueType: string): ((digits: string) => number) | undefined {
  if (valueType === '6' || valueType === '7') return mod10
  if (valueType === '8' || valueType === '9') return convenioMod11
  return undefined
}

export function convenioLineFromBarcode(barcode: string, check: (digits: string) => number): string {
  return [0, 11, 22, 33]
    .map((from) => barcode.slice(from, from + 11))
    .map((block) => block + check(block))
    .join('')
}

export function convenioBarcodeFromLine(line: string): string {
  return [0, 12, 24, 36].map((from) => line.slice(from, from + 11)).join('')
}

/** `XXXXXXXXXXX-D XXXXXXXXXXX-D XXXXXXXXXXX-D XXXXXXXXXXX-D`, as utilities print it. */
export function formatConvenioLine(line: string): string {
  return [0, 12, 24, 36].map((from) => `${line.slice(from, from + 11)}-${line[from + 11]}`).join(' ')
}
