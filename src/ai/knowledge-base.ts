import { z } from 'zod'
import { fitText, MAX_BUTTONS, MAX_INTERACTIVE_BODY_CHARS, MAX_ROW_TITLE_CHARS, MAX_TITLE_CHARS } from '../domain/index.js'
import { KnowledgeBaseError } from '../errors.js'
import { describeIssue, formatPath, lookalike, suggestedId, type Problem } from './knowledge-base-problems.js'
import { parseByExtension, readKnowledgeBaseText } from './knowledge-base-source.js'

/** WhatsApp rejects text bodies longer than this, so no KB text may exceed it. */
const MAX_TEXT_CHARS = 4096

const text = (max = MAX_TEXT_CHARS) => z.string().trim().min(1, 'must not be empty').max(max)

const departmentSchema = z.object({
  /** Stable id stored on conversations (`suporte`, `financeiro`, ...). */
  id: z
    .string()
    .max(64)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, {
      error: (iss) => `'${String(iss.input)}' must be lowercase letters, digits, "-" or "_" (no spaces, capitals or accents), e.g. '${suggestedId(String(iss.input))}'`,
    }),
  name: text(200),
  description: text(1000),
  /** Typical customer messages for this department; they train the local router. */
  examples: z.array(text(1000)).min(1, 'needs at least one example'),
})

const faqSchema = z.object({
  department: z.string(),
  question: text(1000),
  answer: text(),
})

/**
 * Defaults of the conversation lifecycle's customer-facing texts (issue #9), per language.
 * The survey is plain text, so any typed answer works; it names the 0–10 scale and the way
 * out ("PARAR"), as a survey that cannot be refused gets the number blocked.
 */
export const LIFECYCLE_MESSAGES = {
  'pt-BR': {
    nps: 'Qual nota de 0 a 10 você dá para o seu atendimento de hoje? Responda só com o número. (Se não quiser receber pesquisas, responda PARAR.)',
    npsScoreAgain: 'Entendi. Para registrar sua avaliação, me diga uma nota de 0 a 10, só o número.',
    npsReason: 'Qual o principal motivo da sua nota?',
    npsThanks: 'Obrigado pela sua avaliação! Ela nos ajuda a melhorar o atendimento. 😊',
    npsOptOut: 'Tudo bem, não vamos mais enviar pesquisas para você. Se precisar de algo, é só chamar por aqui.',
    menuBody: 'Para eu te ajudar melhor: sobre qual destes assuntos é a sua mensagem?',
    menuButton: 'Ver assuntos',
    menuChosen: 'Certo! Me conte como posso te ajudar com {department}.',
    handoffClosed:
      'Recebemos sua mensagem! Estamos fora do horário de atendimento agora: nossa equipe responde a partir de {nextOpening}. Sua conversa fica aqui, não precisa escrever de novo.',
  },
  en: {
    nps: 'From 0 to 10, how would you rate the service you got today? Just reply with the number. (To stop receiving surveys, reply STOP.)',
    npsScoreAgain: 'Got it. To record your rating, please reply with a score from 0 to 10, just the number.',
    npsReason: 'What is the main reason for your score?',
    npsThanks: 'Thank you for your feedback! It helps us improve our service. 😊',
    npsOptOut: "Alright, we won't send you surveys anymore. If you need anything, just message us here.",
    menuBody: 'So I can help you better: which of these is your message about?',
    menuButton: 'See topics',
    menuChosen: 'Got it! Tell me how I can help with {department}.',
    handoffClosed:
      "We got your message! We are outside business hours right now: our team will reply from {nextOpening}. Your conversation stays here, no need to write again.",
  },
} as const satisfies Record<'pt-BR' | 'en', Record<string, string>>

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

/** A message with its `{name}` placeholders filled; unknown placeholders stay as written. */
export function renderMessage(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole))
}

/**
 * The `{name}` placeholders each message is filled with (finding-texts.ts, handoff.ts,
 * local-provider.ts), and those it must contain to say what it is for. Any other `{...}`
 * would reach customers as typed.
 */
export const MESSAGE_PLACEHOLDERS: Readonly<Record<string, { allowed: readonly string[]; required?: readonly string[] }>> = {
  handoffClosed: { allowed: ['nextOpening'], required: ['nextOpening'] },
  menuChosen: { allowed: ['department'] },
  boletoRead: { allowed: ['bank', 'amount', 'dueDate', 'status', 'line'], required: ['amount', 'line'] },
  convenioRead: { allowed: ['segment', 'amount', 'dueDate', 'line'], required: ['amount', 'line'] },
  pixRead: { allowed: ['payee', 'amount', 'keyType', 'url'], required: ['amount'] },
  boletoOverdue: { allowed: ['daysText', 'days'] },
  codeRefused: { allowed: ['problem'], required: ['problem'] },
}

const REQUIRED_BECAUSE: Readonly<Record<string, string>> = {
  nextOpening: 'when the team is back, e.g. "amanhã às 8h"',
  amount: 'the amount read',
  line: 'the line to copy',
  problem: 'what looks wrong in the code',
}

function placeholderProblems(key: string, value: string): string[] {
  const { allowed = [], required = [] } = MESSAGE_PLACEHOLDERS[key] ?? {}
  const can = allowed.length === 0 ? 'this message has no placeholders' : `this message can use ${allowed.map((n) => `{${n}}`).join(', ')}`
  const written = [...value.matchAll(/\{([^{}\n]{0,40})\}/g)].map((m) => m[1]!)
  const unknown = [...new Set(written.filter((name) => !allowed.includes(name)))].map((name) => {
    const meant = lookalike(name.trim(), allowed)
    return `{${name}} is not a placeholder: it would reach customers as written; ${meant === undefined ? can : `did you mean {${meant}}? (${can})`}`
  })
  const missing = required.filter((name) => !written.includes(name)).map((name) => `must contain {${name}} (${REQUIRED_BECAUSE[name] ?? name})`)
  return [...unknown, ...missing]
}

const knowledgeBaseObject = z.object({
    business: z.object({ name: text(200), language: z.enum(['pt-BR', 'en']) }),
    departments: z.array(departmentSchema).min(1, 'needs at least one department'),
    faq: z.array(faqSchema),
    // Every message is a text sent to customers: an unknown key is a misspelt one, whose text would never be sent.
    messages: z.strictObject({
      /** Answer to a bare greeting. */
      greeting: text(),
      /** Honest "I did not understand", offering a person. */
      fallback: text(),
      /** Sent when a person takes over. */
      handoff: text(),
      /** Sent after the last failed attempt of a turn. */
      apology: text(),
      /** Answer to a thanks/closing; a per-language default is used when absent. */
      closing: text().optional(),
      /** Answer to a goodbye without thanks ("tchau", "vou pensar"); a per-language default is used when absent. */
      farewell: text().optional(),
      /** Answer to a bare "ok" / "entendi" after an answer; a per-language default is used when absent. */
      acknowledgement: text().optional(),
      /** Answer to a message in another language than `business.language`, which hands off; a bilingual default is used when absent. */
      otherLanguage: text().optional(),
      /** The NPS question; should ask for a score "de 0 a 10". Default per language: {@link LIFECYCLE_MESSAGES}. */
      nps: text().optional(),
      /** Asked once when the survey is answered in words only ("péssimo"): the number, please. */
      npsScoreAgain: text().optional(),
      /** Asked once after a score: "Qual o principal motivo da sua nota?". */
      npsReason: text().optional(),
      /** Closes the survey, after the reason (or in its place). */
      npsThanks: text().optional(),
      /** Answer to "parar" / "não quero pesquisa". */
      npsOptOut: text().optional(),
      /** A hand-off outside business hours; `{nextOpening}` becomes "amanhã às 8h" or the like. */
      handoffClosed: text().optional(),
      /** The department menu's text, sent when the department cannot be told (issue #12). */
      menuBody: text(MAX_INTERACTIVE_BODY_CHARS).optional(),
      /** The label of the button that opens the department list (WhatsApp: at most 20 characters). */
      menuButton: text(MAX_TITLE_CHARS).optional(),
      /** After a department was picked from the menu with no question to answer; `{department}` is its name. */
      menuChosen: text().optional(),
      /** What the customer sent (see finding-texts.ts for placeholders); per-language defaults when absent. */
      boletoRead: text().optional(),
      convenioRead: text().optional(),
      pixRead: text().optional(),
      boletoOverdue: text().optional(),
      boletoDueToday: text().optional(),
      amountOpen: text().optional(),
      codeRefused: text().optional(),
      unreadableImage: text().optional(),
      unreadableDocument: text().optional(),
      audioUnheard: text().optional(),
    }).superRefine((messages, ctx) => {
      for (const [key, value] of Object.entries(messages)) {
        if (typeof value !== 'string') continue
        for (const message of placeholderProblems(key, value)) ctx.addIssue({ code: 'custom', path: [key], message })
      }
    }),
  })
// The lifecycle's texts are optional in the file and always present once loaded.
const knowledgeBaseSchema = knowledgeBaseObject.transform((kb) => ({ ...kb, messages: { ...LIFECYCLE_MESSAGES[kb.business.language], ...definedOnly(kb.messages) } }))

/**
 * A validated knowledge base. Unknown fields in the file are accepted and dropped, except in
 * `messages` and where they look like a misspelt or translated field (`departmets`, `nome`).
 */
export type KnowledgeBase = z.output<typeof knowledgeBaseSchema>
export type Department = KnowledgeBase['departments'][number]
export type FaqEntry = KnowledgeBase['faq'][number]

/**
 * Reads and validates a knowledge base file (YAML or JSON, chosen by extension).
 * @throws KnowledgeBaseError naming the file and every bad field, or saying it is missing.
 */
export async function loadKnowledgeBase(path: string): Promise<KnowledgeBase> {
  return parseKnowledgeBase(await readKnowledgeBaseText(path), path)
}

/**
 * Parses and validates knowledge base text. `sourceName` (a file name or path) picks the
 * format by its extension and prefixes every error message.
 */
export function parseKnowledgeBase(content: string, sourceName: string): KnowledgeBase {
  // A byte-order mark (Notepad's "UTF-8 with BOM") is not part of the text; JSON.parse refuses it.
  const { data, locate } = parseByExtension(content.replace(/^\uFEFF/, ''), sourceName)
  if (!isRecord(data)) {
    const got = data === null ? 'nothing: the file is empty' : Array.isArray(data) ? 'a list' : typeof data
    throw new KnowledgeBaseError(
      `${sourceName}: expected a mapping with business, departments, faq and messages; got ${got} (start from knowledge-base/sample.pt-BR.yaml)`,
    )
  }
  const parsed = knowledgeBaseSchema.safeParse(data)
  // Cross-references are checked on the raw data too, so one run reports every problem.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap((i) => issueProblems(i, data))),
    ...lookalikeKeyProblems(data),
    ...crossReferenceProblems(data),
  ].map((p) => {
    const at = locate(p.path, p.key)
    return `${sourceName}${at === undefined ? '' : `:${at.line}:${at.col}`}: ${formatPath(p.path)}: ${p.message}`
  })
  if (!parsed.success || problems.length > 0) {
    throw new KnowledgeBaseError(problems.join('\n'), { cause: parsed.error })
  }
  return parsed.data
}

/** A zod issue as problems; an unknown message key is one problem each, with what was meant. */
function issueProblems(issue: z.core.$ZodIssue, data: unknown): Problem[] {
  if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: describeIssue(issue, data) }]
  const known = Object.keys(knowledgeBaseObject.shape.messages.shape)
  return issue.keys.map((key) => {
    const meant = lookalike(key, known)
    return {
      path: [...issue.path, key],
      key: true,
      message: meant === undefined
        ? `'${key}' is not a message; the messages are: ${known.join(', ')}`
        : `'${key}' is not a message; did you mean '${meant}'?`,
    }
  })
}

/**
 * Extra fields are allowed, except one that looks like a misspelt or translated field
 * (`departmets`, `exemplos`): the field meant would be missing, or silently left at its default.
 */
function lookalikeKeyProblems(data: Record<string, unknown>): Problem[] {
  const shape = knowledgeBaseObject.shape
  const levels: Array<{ path: PropertyKey[]; value: unknown; known: string[] }> = [
    { path: [], value: data, known: Object.keys(shape) },
    { path: ['business'], value: data.business, known: Object.keys(shape.business.shape) },
    ...listItems(data.departments).map((value, i) => ({ path: ['departments', i], value, known: Object.keys(departmentSchema.shape) })),
    ...listItems(data.faq).map((value, i) => ({ path: ['faq', i], value, known: Object.keys(faqSchema.shape) })),
  ]
  return levels.flatMap(({ path, value, known }) => {
    if (!isRecord(value)) return []
    return Object.keys(value).flatMap((key) => {
      if (known.includes(key)) return []
      const meant = lookalike(key, known)
      return meant === undefined ? [] : [{ path: [...path, key], key: true, message: `unknown field '${key}'; did you mean '${meant}'?` }]
    })
  })
}

const listItems = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])

/** Department ids must be unique, and every FAQ entry must name a declared one. */
function crossReferenceProblems(data: Record<string, unknown>): Problem[] {
  const problems: Problem[] = []
  const ids = listItems(data.departments).map((d) => (isRecord(d) && typeof d.id === 'string' ? d.id : undefined))
  ids.forEach((id, i) => {
    if (id !== undefined && ids.indexOf(id) !== i) {
      problems.push({ path: ['departments', i, 'id'], message: `'${id}' is declared twice (first as departments[${ids.indexOf(id)}]); give each department its own id` })
    }
  })
  problems.push(...menuTitleProblems(listItems(data.departments)))
  const declared = [...new Set(ids.filter((id) => id !== undefined))]
  // With no department declared, the missing departments are the problem, not every FAQ entry.
  if (declared.length === 0) return problems
  listItems(data.faq).forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.department !== 'string' || declared.includes(entry.department)) return
    const meant = lookalike(entry.department, declared)
    problems.push({
      path: ['faq', i, 'department'],
      message: `'${entry.department}' is not a declared department; ${meant === undefined ? `expected one of: ${declared.join(', ')}` : `did you mean '${meant}'?`}`,
    })
  })
  return problems
}

/**
 * The department menu cuts names to WhatsApp's limits (20 characters on a button, when there
 * are up to 3 departments; 24 on a list row): two names that cut to the same title could not
 * be told apart, and WhatsApp refuses buttons with equal titles.
 */
function menuTitleProblems(departments: unknown[]): Problem[] {
  const max = departments.length <= MAX_BUTTONS ? MAX_TITLE_CHARS : MAX_ROW_TITLE_CHARS
  const titles = departments.map((d) => (isRecord(d) && typeof d.name === 'string' ? fitText(d.name, max) : undefined))
  const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase()
  return titles.flatMap((title, i) => {
    const first = titles.findIndex((t) => same(t, title))
    if (first === i || first < 0) return []
    return [{
      path: ['departments', i, 'name'],
      message: `shows in the department menu as '${title!}', as departments[${first}].name does; customers could not tell them apart: make the first ${max} characters differ`,
    }]
  })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** An FAQ entry a reviewer approved (issue #9, milestone D), stored in the database. */
export interface KnowledgeBaseAddition {
  department: string
  question: string
  answer: string
}

/**
 * The knowledge base with the approved additions appended to its FAQ: the file stays the
 * business's base, the additions come after it. An addition whose department the file no
 * longer declares is left out (routing and the openai schema only know declared ones).
 */
export function withAdditions(kb: KnowledgeBase, additions: readonly KnowledgeBaseAddition[]): KnowledgeBase {
  if (additions.length === 0) return kb
  const declared = new Set(kb.departments.map((d) => d.id))
  const faq = additions.filter((a) => declared.has(a.department)).map((a) => ({ department: a.department, question: a.question, answer: a.answer }))
  return { ...kb, faq: [...kb.faq, ...faq] }
}
