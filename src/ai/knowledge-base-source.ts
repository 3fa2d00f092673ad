/**
 * A knowledge base file as text and data: reading it (bounded, UTF-8), parsing YAML or JSON by
 * extension, and telling where each value is written, so that every problem the schema finds
 * (knowledge-base.ts) points at a line and column. Syntax errors are told here, with what
 * they usually mean in a hand-written file.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { extname, join, resolve } from 'node:path'
import { CST, isMap, isNode, isScalar, LineCounter, Parser, parseDocument, visit, type Document } from 'yaml'
import { KnowledgeBaseError } from '../errors.js'

const EXTENSIONS = ['.yaml', '.yml', '.json']

/**
 * A knowledge base file's text: refused when it is missing, a folder, over the size limit or
 * not UTF-8, with what to do.
 * @throws KnowledgeBaseError naming the file.
 */
export async function readKnowledgeBaseText(path: string): Promise<string> {
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
  return decodeUtf8(bytes, path)
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

/** Where a path's value (or, with `key`, its field name) is written: line and column, from 1. */
export type Locate = (path: readonly PropertyKey[], key?: boolean) => { line: number; col: number } | undefined

/** The file's data, with where each value is written. */
export function parseByExtension(content: string, sourceName: string): { data: unknown; locate: Locate } {
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
