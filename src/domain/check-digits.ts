/**
 * The check-digit rules of FEBRABAN's two boleto layouts: "Módulo 10" and "Módulo 11" as
 * the cobrança bancária (Ficha de Compensação) and arrecadação (convênio) layouts define
 * them. Every function takes a string of ASCII digits that the caller has already checked.
 */

/**
 * Módulo 10: weights 2, 1, 2, 1… from the rightmost digit; a two-digit product counts as
 * the sum of its digits; the DV is what brings the total to a multiple of 10 (so a total
 * ending in 0 gives DV 0). Both layouts define it the same way.
 */
export function mod10(digits: string): number {
  let sum = 0
  let weight = 2
  for (let i = digits.length - 1; i >= 0; i--) {
    const product = (digits.charCodeAt(i) - 48) * weight
    // The product is at most 18, so the sum of its digits is product - 9.
    sum += product > 9 ? product - 9 : product
    weight = 3 - weight
  }
  return (10 - (sum % 10)) % 10
}

/** The remainder of Módulo 11: weights 2 to 9, restarting at 2, from the rightmost digit. */
export function mod11Remainder(digits: string): number {
  let sum = 0
  let weight = 2
  for (let i = digits.length - 1; i >= 0; i--) {
    sum += (digits.charCodeAt(i) - 48) * weight
    weight = weight === 9 ? 2 : weight + 1
  }
  return sum % 11
}

/**
 * The general DV of a cobrança bancária barcode: 11 minus the remainder, except that the
 * results 0, 10 and 11 all become 1 (the layout never prints DV 0). So the remainders 0, 1
 * and 10 share DV 1, which is why some single-digit errors go unseen when the DV is 1.
 */
export function bankMod11(digits: string): number {
  const dv = 11 - mod11Remainder(digits)
  return dv === 0 || dv === 10 || dv === 11 ? 1 : dv
}

/**
 * Módulo 11 as the arrecadação layout defines it: remainders 0 and 1 give DV 0 (and 10
 * gives 1, which 11 - 10 already is). The remainders 0 and 1 share DV 0.
 */
export function convenioMod11(digits: string): number {
  const remainder = mod11Remainder(digits)
  return remainder <= 1 ? 0 : 11 - remainder
}

/** Digit `i` (0-based) of a digit string as a number. */
export function digitAt(digits: string, i: number): number {
  return digits.charCodeAt(i) - 48
}
