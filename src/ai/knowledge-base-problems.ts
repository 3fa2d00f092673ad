/**
 * How a knowledge base's problems are told to the person who wrote it: where (line, column
 * and a path such as `departments[1].examples[0]`) and what to do, in one line each.
 */
import type { z } from 'zod'
import { foldText } from './text-analysis.js'

export interface Problem {
  path: readonly PropertyKey[]
  message: string
  /** The problem is the field's name (an unknown field), not its value. */
  key?: boolean
}

/** `['departments', 1, 'examples', 0]` → `departments[1].examples[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  const text = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('')
  return text === '' ? '(root)' : text
}

/** The value at `path` in the raw data, if any. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

const NOUNS: Record<string, string> = { string: 'text', array: 'a list', object: 'a block of name: value lines', number: 'a number' }
const noun = (expected: string) => NOUNS[expected] ?? expected

function described(value: unknown): string {
  if (value === null) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return 'text'
  return `${typeof value} ${String(value)}`
}

/** WhatsApp's limits, named where a text exceeds one. */
const WHATSAPP_LIMITS: Readonly<Record<number, string>> = {
  4096: "WhatsApp's limit for one message",
  1024: "WhatsApp's limit for a menu's text",
  20: "WhatsApp's limit for a button label",
}

/** One zod issue in the words of someone editing a YAML file; `data` is what the file holds. */
export function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const value = valueAt(data, issue.path)
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return `is required (expected ${noun(issue.expected)})`
      if (value === null) return `is empty; expected ${noun(issue.expected)}`
      if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
        return `is the ${typeof value} ${String(value)}, not text; put it in quotes: "${String(value)}"`
      }
      if (issue.expected === 'array' && typeof value === 'string') {
        return 'is one text, not a list; write one "- item" per line, with a space after the "-"'
      }
      return `expected ${noun(issue.expected)}; got ${described(value)}`
    }
    case 'too_big':
      if (typeof value === 'string') {
        const limit = WHATSAPP_LIMITS[Number(issue.maximum)]
        const why = limit === undefined ? '' : ` (${limit})`
        return `is ${[...value.trim()].length} characters long; the limit is ${String(issue.maximum)}${why}: shorten it`
      }
      return issue.message
    case 'invalid_value':
      return `'${String(value)}' is not accepted; expected one of: ${issue.values.map(String).join(', ')} (exactly so written)`
    default:
      return issue.message
  }
}

/** Keys a Portuguese speaker may write for the English ones. */
const TRANSLATED_KEYS: Record<string, string> = {
  negocio: 'business', empresa: 'business', departamentos: 'departments', perguntas: 'faq', mensagens: 'messages',
  nome: 'name', idioma: 'language', lingua: 'language', descricao: 'description', exemplos: 'examples',
  departamento: 'department', pergunta: 'question', resposta: 'answer', saudacao: 'greeting',
  // Placeholders of the messages.
  valor: 'amount', banco: 'bank', vencimento: 'dueDate', linha: 'line', recebedor: 'payee', chave: 'keyType',
  dias: 'daysText', problema: 'problem', horario: 'nextOpening', abertura: 'nextOpening', segmento: 'segment',
}

/** Optimal string alignment distance (a swap of two neighbours counts once). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/** The one of `known` that `written` looks like a misspelling or translation of, if any. */
export function lookalike(written: string, known: readonly string[]): string | undefined {
  const w = foldText(written)
  // Each known name, and the Portuguese words for it, spelt nearly right.
  const spellings: Array<[string, string]> = [
    ...known.map((key): [string, string] => [foldText(key), key]),
    ...Object.entries(TRANSLATED_KEYS).filter(([, key]) => known.includes(key)),
  ]
  let best: { key: string; d: number } | undefined
  for (const [spelling, key] of spellings) {
    const d = distance(w, spelling)
    if (d <= (spelling.length >= 5 ? 2 : 1) && (best === undefined || d < best.d)) best = { key, d }
  }
  return best?.key
}

/** `'Pedidos e Entregas'` → `pedidos-e-entregas`: an id the schema accepts, to suggest. */
export function suggestedId(written: string): string {
  const slug = foldText(written).replace(/[^a-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '')
  return slug === '' ? 'atendimento' : slug
}
