import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { LIFECYCLE_MESSAGES, loadKnowledgeBase, parseKnowledgeBase, renderMessage } from '../../src/ai/knowledge-base.js'
import { KnowledgeBaseError } from '../../src/errors.js'

function minimalKb(): Record<string, any> {
  return {
    business: { name: 'Loja Teste', language: 'pt-BR' },
    departments: [
      { id: 'suporte', name: 'Suporte', description: 'Problemas técnicos', examples: ['internet lenta'] },
      { id: 'financeiro', name: 'Financeiro', description: 'Boletos', examples: ['segunda via'] },
    ],
    faq: [
      { department: 'suporte', question: 'Internet lenta?', answer: 'Reinicie o roteador.' },
      { department: 'financeiro', question: 'Segunda via?', answer: 'Pelo app.' },
    ],
    messages: { greeting: 'Olá!', fallback: 'Não entendi.', handoff: 'Vou chamar alguém.', apology: 'Desculpe.' },
  }
}

function errorOf(fn: () => unknown): KnowledgeBaseError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    return err as KnowledgeBaseError
  }
  throw new Error('expected a KnowledgeBaseError')
}

const parseYaml = (kb: unknown) => parseKnowledgeBase(stringify(kb), 'knowledge-base.yaml')

describe('knowledge base loading', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atende-kb-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('loads the pt-BR sample with four departments and at least 24 FAQ entries', async () => {
    const kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    expect(kb.business.language).toBe('pt-BR')
    expect(kb.departments.map((d) => d.id)).toEqual(['suporte', 'financeiro', 'comercial', 'cancelamento'])
    for (const d of kb.departments) expect(d.examples.length).toBeGreaterThanOrEqual(8)
    expect(kb.faq.length).toBeGreaterThanOrEqual(24)
  })

  it('loads the English sample', async () => {
    const kb = await loadKnowledgeBase('knowledge-base/sample.en.yaml')
    expect(kb.business.language).toBe('en')
    expect(kb.faq.length).toBeGreaterThan(0)
  })

  it('loads a JSON file chosen by its extension', async () => {
    const path = join(dir, 'kb.json')
    await writeFile(path, JSON.stringify(minimalKb()))
    const kb = await loadKnowledgeBase(path)
    expect(kb.business.name).toBe('Loja Teste')
  })

  it('accepts extra fields', () => {
    const data = minimalKb()
    data.business.site = 'https://example.com'
    data.owner = 'equipe'
    expect(parseYaml(data).departments).toHaveLength(2)
  })

  it('names the FAQ entry whose department is not declared and lists the declared ones', () => {
    const data = minimalKb()
    data.faq[1].department = 'vendas'
    expect(errorOf(() => parseYaml(data)).message).toBe(
      "knowledge-base.yaml:19:17: faq[1].department: 'vendas' is not a declared department; expected one of: suporte, financeiro",
    )
  })

  it('names a missing message', () => {
    const data = minimalKb()
    delete data.messages.handoff
    expect(errorOf(() => parseYaml(data)).message).toBe('knowledge-base.yaml:23:3: messages.handoff: is required (expected text)')
  })

  it('rejects a department without examples', () => {
    const data = minimalKb()
    data.departments[0].examples = []
    expect(errorOf(() => parseYaml(data)).message).toContain('knowledge-base.yaml:8:15: departments[0].examples: needs at least one example')
  })

  it('rejects a language other than pt-BR or en', () => {
    const data = minimalKb()
    data.business.language = 'es'
    expect(errorOf(() => parseYaml(data)).message).toBe(
      "knowledge-base.yaml:3:13: business.language: 'es' is not accepted; expected one of: pt-BR, en (exactly so written)",
    )
  })

  it('rejects a department id declared twice', () => {
    const data = minimalKb()
    data.departments[1].id = 'suporte'
    expect(errorOf(() => parseYaml(data)).message).toContain("departments[1].id: 'suporte' is declared twice (first as departments[0]); give each department its own id")
  })

  it('rejects an answer longer than one WhatsApp message', () => {
    const data = minimalKb()
    data.faq[0].answer = 'a'.repeat(4097)
    expect(errorOf(() => parseYaml(data)).message).toContain(
      "knowledge-base.yaml:18:13: faq[0].answer: is 4097 characters long; the limit is 4096 (WhatsApp's limit for one message): shorten it",
    )
  })

  it('reports every bad field in one error', () => {
    const data = minimalKb()
    data.business.name = ''
    data.faq[0].department = 'vendas'
    delete data.messages.apology
    const lines = errorOf(() => parseYaml(data)).message.split('\n')
    expect(lines.map((l) => l.split(': ')[1])).toEqual(['business.name', 'messages.apology', 'faq[0].department'])
  })

  it('says what arrived when the file is not a mapping', () => {
    expect(errorOf(() => parseKnowledgeBase('- a\n- b\n', 'kb.yaml')).message).toContain('got a list')
  })

  it('gives the line and column of a YAML syntax error', () => {
    const text = 'business:\n  name: NetVale\n  language: [pt-BR\nfaq: []\n'
    expect(errorOf(() => parseKnowledgeBase(text, 'kb.yaml')).message).toMatch(
      /^kb\.yaml: YAML syntax error at line \d+, column \d+: /,
    )
  })

  it('gives the line and column of a JSON syntax error', () => {
    const text = '{\n  "business": {,\n}'
    expect(errorOf(() => parseKnowledgeBase(text, 'kb.json')).message).toMatch(/^kb\.json: JSON syntax error at line 2, column \d+/)
  })

  it('says when the file does not exist', async () => {
    const err = await loadKnowledgeBase(join(dir, 'missing.yaml')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    expect((err as KnowledgeBaseError).code).toBe('ATD_KNOWLEDGE_BASE_INVALID')
    expect((err as Error).message).toMatch(/missing\.yaml: file not found/)
  })

  it('rejects an unsupported extension', () => {
    expect(errorOf(() => parseKnowledgeBase('{}', 'kb.txt')).message).toBe(
      "kb.txt: unsupported extension '.txt'; expected one of: .yaml, .yml, .json",
    )
  })
})

describe('lifecycle messages (issue #9)', () => {
  it('fill in per-language defaults: the survey asks "de 0 a 10" about "seu atendimento de hoje"', () => {
    const kb = parseYaml(minimalKb())
    expect(kb.messages.nps).toContain('de 0 a 10')
    expect(kb.messages.nps.toLowerCase()).toContain('seu atendimento de hoje')
    expect(kb.messages.npsReason).toBe('Qual o principal motivo da sua nota?')
    expect(kb.messages.handoffClosed).toContain('{nextOpening}')
    const en = parseYaml({ ...minimalKb(), business: { name: 'Shop', language: 'en' } })
    expect(en.messages.nps).toContain('From 0 to 10')
    expect(en.messages.npsThanks).toBe(LIFECYCLE_MESSAGES.en.npsThanks)
  })

  it("keep the business's own wording, and refuse an empty one", () => {
    const raw = minimalKb()
    raw.messages.nps = 'Que nota de 0 a 10 você dá pra gente hoje?'
    expect(parseYaml(raw).messages.nps).toBe('Que nota de 0 a 10 você dá pra gente hoje?')
    raw.messages.npsReason = '  '
    expect(errorOf(() => parseYaml(raw)).message).toContain('messages.npsReason: must not be empty')
  })

  it('render {nextOpening} and leave unknown placeholders alone', () => {
    const text = renderMessage(LIFECYCLE_MESSAGES['pt-BR'].handoffClosed, { nextOpening: 'amanhã às 8h' })
    expect(text).toContain('nossa equipe responde a partir de amanhã às 8h.')
    expect(renderMessage('{a} {b}', { a: '1' })).toBe('1 {b}')
  })
})
