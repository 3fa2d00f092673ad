import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase } from '../../src/ai/knowledge-base.js'
import { KnowledgeBaseError } from '../../src/errors.js'

/** What the file holds before its bytes are read: a folder, a size, an encoding. */
const YAML = `business:
  name: Padaria da Ana
  language: pt-BR
departments:
  - id: pedidos
    name: Pedidos
    description: Encomendas de bolos e salgados
    examples: [quero encomendar um bolo, vocês entregam?]
faq:
  - department: pedidos
    question: Qual o prazo para encomendar?
    answer: Pedimos 48 horas de antecedência.
messages:
  greeting: Olá! Sou a assistente da Padaria.
  fallback: Desculpe, não entendi.
  handoff: Vou chamar alguém da equipe.
  apology: Tivemos um problema, tente de novo.
`

describe('knowledge base file', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atende-kb-file-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function loadError(path: string): Promise<string> {
    const err = await loadKnowledgeBase(path).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    return (err as Error).message
  }

  it.each([
    ['a UTF-8 byte-order mark', 'bom.yaml', Buffer.from(`\uFEFF${YAML}`)],
    ['a UTF-8 byte-order mark in JSON', 'bom.json', Buffer.from(`\uFEFF${JSON.stringify({ business: { name: 'Padaria', language: 'pt-BR' }, departments: [{ id: 'pedidos', name: 'Pedidos', description: 'Bolos', examples: ['bolo'] }], faq: [], messages: { greeting: 'Olá', fallback: 'Não entendi', handoff: 'Chamando', apology: 'Desculpe' } })}`)],
    ['CRLF line endings', 'crlf.yaml', Buffer.from(YAML.replace(/\n/g, '\r\n'))],
  ])('loads a file with %s, accents intact', async (_what, name, bytes) => {
    const path = join(dir, name)
    await writeFile(path, bytes)
    const kb = await loadKnowledgeBase(path)
    expect(kb.messages.greeting.startsWith('Olá')).toBe(true)
    expect(kb.messages.greeting).not.toContain('\r')
  })

  it('refuses a file saved as Windows-1252/Latin-1, naming the line of the first accent', async () => {
    const path = join(dir, 'latin1.yaml')
    await writeFile(path, Buffer.from(YAML, 'latin1'))
    expect(await loadError(path)).toBe(
      `${path}: is not saved as UTF-8 (first bad character at line 8, column 45: "examples: [quero encomendar um bolo, voc\uFFFDs entregam?]"); ` +
        'save it again with the encoding UTF-8 (in Notepad: Save as, Encoding: UTF-8)',
    )
  })

  it('says a folder is a folder and names the files in it', async () => {
    const folder = join(dir, 'bases')
    await mkdir(folder)
    await writeFile(join(folder, 'padaria.yaml'), YAML)
    expect(await loadError(folder)).toBe(
      `${folder}: is a folder, not a file; name the knowledge-base file itself (e.g. ${join(folder, 'padaria.yaml')})`,
    )
  })

  it('refuses a file over 10 MB before reading it', async () => {
    const path = join(dir, 'huge.yaml')
    await writeFile(path, `${YAML}# ${'x'.repeat(11 * 1024 * 1024)}\n`)
    expect(await loadError(path)).toMatch(/huge\.yaml: is 11 MB; a knowledge base may be at most 10 MB/)
  })
})
