/**
 * The five kinds of Pix key the DICT (BCB's directory of keys) registers, told apart by
 * shape: CPF (11 digits), CNPJ (14 characters, numeric or the alphanumeric form the
 * Receita Federal issues from July 2026), phone (+55, area code, number), e-mail, and the
 * random key (EVP, a UUID). CPF and CNPJ must pass their check digits.
 */
export type PixKeyType = 'cpf' | 'cnpj' | 'phone' | 'email' | 'evp' | 'unknown'

const EVP = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const PHONE = /^\+55[1-9]{2}[0-9]{8,9}$/
/** DICT caps e-mail keys at 77 characters. */
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/

export function classifyPixKey(key: string): PixKeyType {
  if (/^[0-9]{11}$/.test(key) && isCpf(key)) return 'cpf'
  if (/^[0-9A-Z]{12}[0-9]{2}$/.test(key) && isCnpj(key)) return 'cnpj'
  if (PHONE.test(key)) return 'phone'
  if (key.length <= 77 && EMAIL.test(key)) return 'email'
  if (EVP.test(key)) return 'evp'
  return 'unknown'
}

/** Receita Federal's CPF rule: two Módulo 11 DVs, weights 10..2 then 11..2; repeated digits are not CPFs. */
function isCpf(cpf: string): boolean {
  if (/^(.)\1*$/.test(cpf)) return false
  return [9, 10].every((n) => mod11Dv(cpf.slice(0, n), (i) => n + 1 - i) === cpf.charCodeAt(n) - 48)
}

/**
 * CNPJ: two Módulo 11 DVs, weights 2..9 repeating from the right; each character counts
 * as its ASCII code minus 48, so digits keep their value and letters (alphanumeric CNPJ)
 * count from 17 ('A').
 */
function isCnpj(cnpj: string): boolean {
  if (/^(.)\1*$/.test(cnpj)) return false
  return [12, 13].every((n) => mod11Dv(cnpj.slice(0, n), (i) => 2 + ((n - 1 - i) % 8)) === cnpj.charCodeAt(n) - 48)
}

function mod11Dv(body: string, weightAt: (i: number) => number): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) sum += (body.charCodeAt(i) - 48) * weightAt(i)
  const remainder = sum % 11
  return remainder < 2 ? 0 : 11 - remainder
}
