import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { CST, isMap, isNode, isScalar, LineCounter, Parser, parseDocument, visit, type Document } from 'yaml'
import { z } from 'zod'
import { fitText, MAX_BUTTONS, MAX_INTERACTIVE_BODY_CHARS, MAX_ROW_TITLE_CHARS, MAX_TITLE_CHARS } from '../domain/index.js'
import { KnowledgeBaseError } from '../errors.js'
import { describeIssue, formatPath, lookalike, suggestedId, type Problem } from './knowledge-base-problems.js'

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

const EXTENSIONS = ['.yaml', '.yml', '.json']

/**
 * Reads and validates a knowledge base file (YAML or JSON, chosen by extension).
 * @throws KnowledgeBaseError naming the file and every bad field, or saying it is missing.
 */
export async function loadKnowledgeBase(path: string): Promise<KnowledgeBase> {
  let bytes: Buffer
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new KnowledgeBaseError(`${path}: is a folder, not a file; name the knowledge-base file itself${await filesIn(path)}`)
    if (info.size > MAX_FILE_BYTES) {
      throw new KnowledgeBaseError(
        `${path}: is ${megabytes(info.size)}; a knowledge base may be at most ${megabytes(MAX_FILE_BYTES)} (it is read whole at every start): remove what customers never ask about`,
      )
    }
    bytes = await readFile(path)
  } catch (err) {
    if (err instanceof KnowledgeBaseError) throw err
    const code = (err as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : `file cannot be read (${code ?? 'unknown error'})`
    throw new KnowledgeBaseError(`${path}: ${why} (resolved to ${resolve(path)})`, { cause: err })
  }
  return parseKnowledgeBase(decodeUtf8(bytes, path), path)
}

/** Larger files are refused before they are read: parsing holds the whole tree in memory. */
const MAX_FILE_BYTES = 10 * 1024 * 1024

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`

/** ", e.g. <folder>/a.yaml" when the folder holds knowledge base files. */
async function filesIn(dir: string): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[])
  const candidates = names.filter((n) => EXTENSIONS.includes(extname(n).toLowerCase())).sort()
  return candidates.length === 0 ? '' : ` (e.g. ${candidates.slice(0, 3).map((n) => join(dir, n)).join(', ')})`
}

/**
 * The file's text. A file saved as Windows-1252/Latin-1 would otherwise load with every
 * accent turned into "�" and reach customers so; it is refused with where the first one is.
 */
function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes)
    const at = text.indexOf('\uFFFD')
    const line = text.slice(0, at).split('\n').length
    const lineText = text.split('\n')[line - 1]?.trim() ?? ''
    throw new KnowledgeBaseError(
      `${path}: is not saved as UTF-8 (first bad character at ${lineColumn(text, at)}: "${lineText.slice(0, 60)}"); ` +
        'save it again with the encoding UTF-8 (in Notepad: Save as, Encoding: UTF-8)',
    )
  }
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

/** Where a path's value (or, with `key`, its field name) is written: line and column, from 1. */
type Locate = (path: readonly PropertyKey[], key?: boolean) => { line: number; col: number } | undefined

function parseByExtension(content: string, sourceName: string): { data: unknown; locate: Locate } {
  const ext = extname(sourceName).toLowerCase()
  if (!EXTENSIONS.includes(ext)) {
    throw new KnowledgeBaseError(`${sourceName}: unsupported extension '${ext}'; expected one of: ${EXTENSIONS.join(', ')}`)
  }
  if (ext !== '.json') return parseYaml(content, sourceName)
  const data = parseJson(content, sourceName)
  // JSON is YAML too: its document tells where each value is written.
  const lineCounter = new LineCounter()
  const doc = parseDocument(content, { lineCounter })
  return { data, locate: doc.errors.length === 0 ? locator(doc, lineCounter) : () => undefined }
}

/**
 * The position of the value at `path`; for a missing one, of the nearest enclosing value that
 * is written (a missing `name` points at its department).
 */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path, key = false) => {
    const parent: unknown = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)
    const pair = key && isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1)) : undefined
    if (isScalar(pair?.key) && pair.key.range !== undefined && pair.key.range !== null) return lineCounter.linePos(pair.key.range[0])
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range !== undefined && node.range !== null) return lineCounter.linePos(node.range[0])
    }
    return undefined
  }
}

function parseYaml(content: string, sourceName: string): { data: unknown; locate: Locate } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(content, { lineCounter })
  const first = doc.errors[0]
  if (first !== undefined) {
    const unclosed = first.code === 'MISSING_CHAR' ? unclosedQuote(content) : undefined
    const pos = unclosed === undefined ? first.linePos?.[0] : lineCounter.linePos(unclosed)
    const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`
    // The yaml package appends its own " at line L, column C:" and a code frame; keep the reason.
    const reason = (first.message.split('\n')[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, '')
    const hint = unclosed === undefined ? YAML_ERROR_HINTS[first.code] : 'the quote opened here is never closed'
    throw new KnowledgeBaseError(`${sourceName}: YAML syntax error${where}: ${reason}${hint === undefined ? '' : ` (${hint})`}`, { cause: first })
  }
  const tagged = taggedNode(doc)
  if (tagged !== undefined) {
    // The node starts at its value; the tag is written just before it.
    const tagStart = /!\S*\s*$/.exec(content.slice(0, tagged.offset))?.index ?? tagged.offset
    const pos = lineCounter.linePos(tagStart)
    throw new KnowledgeBaseError(
      `${sourceName}: YAML tag ${tagged.tag} at line ${pos.line}, column ${pos.col} is not supported; write plain text (in quotes if it looks like a number)`,
    )
  }
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate: locator(doc, lineCounter) }
  } catch (err) {
    // An alias repeated into a "billion laughs" would take all memory; the yaml package stops it.
    throw new KnowledgeBaseError(
      `${sourceName}: YAML aliases (*name) expand to too many copies (more than ${MAX_ALIAS_COUNT}); write the texts out instead of repeating aliases`,
      { cause: err },
    )
  }
}

/** What the yaml package's terse errors usually mean in a hand-written knowledge base. */
const YAML_ERROR_HINTS: Partial<Record<string, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTILINE_IMPLICIT_KEY: 'is a ":" missing after the field name on this line, or is the next line indented too far?',
  BLOCK_AS_IMPLICIT_KEY: 'a text with ": " in it must be in quotes, e.g. answer: "Horário: 8h às 18h"; or this line is indented too far',
  DUPLICATE_KEY: 'the same field is written twice in this block; keep one',
  BAD_INDENT: 'the lines of one block must start at the same column',
}

/** Where the quoted text that runs to the end of the file opens, if one does. */
function unclosedQuote(content: string): number | undefined {
  let found: number | undefined
  for (const token of new Parser().parse(content)) {
    if (token.type !== 'document') continue
    CST.visit(token, (item) => {
      for (const t of [item.key, item.value]) {
        if (t === undefined || t === null || found !== undefined) continue
        if ((t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && (t.source.length < 2 || !t.source.endsWith(t.source[0]!))) {
          found = t.offset
        }
      }
      return found === undefined ? undefined : CST.visit.BREAK
    })
  }
  return found
}

/** The yaml package's default bound on alias expansion, stated. */
const MAX_ALIAS_COUNT = 100

/**
 * The first explicitly tagged node other than `!!str`: `!!binary` loads a Buffer, an unknown
 * tag (`!!js/function`) loads as text with a warning only; neither belongs in a knowledge base.
 */
function taggedNode(doc: Document): { tag: string; offset: number } | undefined {
  let found: { tag: string; offset: number } | undefined
  visit(doc, (_key, node) => {
    if (!isNode(node) || node.tag === undefined || node.tag === 'tag:yaml.org,2002:str') return undefined
    found = { tag: node.tag.replace(/^tag:yaml\.org,2002:/, '!!'), offset: node.range?.[0] ?? 0 }
    return visit.BREAK
  })
  return found
}

function parseJson(content: string, sourceName: string): unknown {
  try {
    return JSON.parse(content)
  } catch (err) {
    const position = /position (\d+)/.exec((err as Error).message)?.[1]
    const where = position === undefined ? '' : ` at ${lineColumn(content, Number(position))}`
    throw new KnowledgeBaseError(`${sourceName}: JSON syntax error${where}: ${(err as Error).message}`, { cause: err })
  }
}

function lineColumn(content: string, offset: number): string {
  const before = content.slice(0, offset).split('\n')
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`
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
