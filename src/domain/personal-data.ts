/**
 * Personal data in a text a reviewer is about to teach the bot (issue #9, milestone D):
 * CPF/CNPJ, phone numbers, e-mails, a boleto's linha digitável, the customer's name. Found
 * with their spans, so the reviewer sees what to remove; nothing here decides for them.
 * Pure: no I/O, no clock.
 */

export const PERSONAL_DATA_KINDS = ['cpf', 'cnpj', 'phone', 'email', 'linha-digitavel', 'name'] as const
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number]

/** One finding: `text.slice(start, end)` is the personal data (UTF-16 offsets). */
export interface PersonalDataSpan {
  kind: PersonalDataKind
  start: number
  end: number
}

export interface FindPersonalDataOptions {
  /** The customer's name as WhatsApp gave it (profile name); each word of 3+ letters is looked for. */
  names?: readonly (string | null | undefined)[]
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu
/**
 * A run of digits with the separators Brazilians write numbers with: `+55 (11) 91234-5678`,
 * `123.456.789-09`, `12.345.678/0001-95`, `23793.38128 60082.677139 …`. Spaces join groups
 * only one at a time, so "ligue 11 9123-4567 ou" stops at "ou".
 */
const NUMBER_RUN = /\+?\(?\d(?:[\d.()/-]|\s(?=[\d(]))*\d/g
const CPF_FORMAT = /^\d{3}\.\d{3}\.\d{3}-\d{2}$/
const CNPJ_FORMAT = /^\d{2}\.?\d{3}\.?\d{3}\/\d{4}-?\d{2}$/
/** dd/mm/yyyy and dd/mm: a date, not a number that names anyone. */
const DATE_FORMAT = /^\d{1,2}\/\d{1,2}(?:\/\d{2,4})?$/
/** Words of a name that name nobody on their own. */
const NAME_PARTICLES = new Set(['da', 'de', 'do', 'das', 'dos', 'e', 'di', 'del', 'van', 'von'])

/** Every personal-data span of `text`, ordered by start, overlapping ones merged. */
export function findPersonalData(text: string, options: FindPersonalDataOptions = {}): PersonalDataSpan[] {
  const spans: PersonalDataSpan[] = []
  for (const m of text.matchAll(EMAIL)) spans.push({ kind: 'email', start: m.index, end: m.index + m[0].length })
  for (const m of text.matchAll(NUMBER_RUN)) spans.push(...classifyNumberRun(m[0], m.index))
  spans.push(...findNames(text, options.names ?? []))
  return mergeSpans(spans)
}

/** The kinds found, for a message that names what, never the values. */
export function personalDataKinds(spans: readonly PersonalDataSpan[]): PersonalDataKind[] {
  return [...new Set(spans.map((s) => s.kind))]
}

function classifyNumberRun(run: string, offset: number): PersonalDataSpan[] {
  const digits = run.replace(/\D/g, '')
  const span = (kind: PersonalDataKind): PersonalDataSpan[] => [{ kind, start: offset, end: offset + run.length }]
  if (DATE_FORMAT.test(run)) return []
  if (digits.length >= 44 && digits.length <= 48) return span('linha-digitavel')
  if (CNPJ_FORMAT.test(run) || (digits.length === 14 && isCnpj(digits))) return span('cnpj')
  if (CPF_FORMAT.test(run) || (digits.length === 11 && isCpf(digits))) return span('cpf')
  if (digits.length >= 8 && digits.length <= 13 && !run.includes('/') && !/^\d{1,3}(?:\.\d{3})+$/.test(run)) return span('phone')
  if (/\s/.test(run)) {
    // Several numbers written side by side: each on its own.
    return [...run.matchAll(/\S+/g)].flatMap((part) => classifyNumberRun(part[0], offset + part.index))
  }
  return []
}

function isCpf(d: string): boolean {
  if (/^(\d)\1{10}$/.test(d)) return false
  const check = (len: number) => {
    let sum = 0
    for (let i = 0; i < len; i++) sum += Number(d[i]) * (len + 1 - i)
    const r = (sum * 10) % 11
    return (r === 10 ? 0 : r) === Number(d[len])
  }
  return check(9) && check(10)
}

function isCnpj(d: string): boolean {
  if (/^(\d)\1{13}$/.test(d)) return false
  const check = (len: number) => {
    const weights = len === 12 ? [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2] : [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    const sum = weights.reduce((s, w, i) => s + w * Number(d[i]), 0)
    const r = sum % 11
    return (r < 2 ? 0 : 11 - r) === Number(d[len])
  }
  return check(12) && check(13)
}

/**
 * Lowercase without accents, one UTF-16 unit in for one out, so offsets in the folded text
 * are offsets in the original ("Conceição" and "conceicao" line up).
 */
function foldSameLength(text: string): string {
  let out = ''
  for (const ch of text) {
    const folded = ch.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase()
    out += folded.length === ch.length ? folded : ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch
  }
  return out
}

function findNames(text: string, names: readonly (string | null | undefined)[]): PersonalDataSpan[] {
  const words = new Set(
    names
      .flatMap((n) => (n ?? '').split(/[^\p{L}'-]+/u))
      .map((w) => foldSameLength(w))
      .filter((w) => [...w].length >= 3 && !NAME_PARTICLES.has(w)),
  )
  if (words.size === 0) return []
  const folded = foldSameLength(text)
  const spans: PersonalDataSpan[] = []
  for (const word of words) {
    let at = folded.indexOf(word)
    while (at !== -1) {
      const end = at + word.length
      if (!isLetter(folded, at - 1) && !isLetter(folded, end)) spans.push({ kind: 'name', start: at, end })
      at = folded.indexOf(word, at + 1)
    }
  }
  return spans
}

function isLetter(text: string, i: number): boolean {
  return i >= 0 && i < text.length && /[\p{L}\p{N}]/u.test(text[i]!)
}

function mergeSpans(spans: PersonalDataSpan[]): PersonalDataSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end)
  const out: PersonalDataSpan[] = []
  for (const s of sorted) {
    const last = out.at(-1)
    if (last !== undefined && s.start < last.end) {
      last.end = Math.max(last.end, s.end)
      continue
    }
    out.push({ ...s })
  }
  return out
}
