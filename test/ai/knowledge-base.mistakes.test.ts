import { describe, expect, it } from 'vitest'
import { parseKnowledgeBase } from '../../src/ai/knowledge-base.js'
import { KnowledgeBaseError } from '../../src/errors.js'

/**
 * A first knowledge base as a business owner writes it from the README, with the mistakes
 * people make: each is told with the file, the line and column, the path and what to do.
 */
const GOOD = `business:
  name: Padaria da Ana
  language: pt-BR
departments:
  - id: pedidos
    name: Pedidos
    description: Encomendas de bolos e salgados
    examples:
      - quero encomendar um bolo
  - id: financeiro
    name: Financeiro
    description: Pagamentos e pix
    examples:
      - qual a chave pix
faq:
  - department: pedidos
    question: Qual o prazo para encomendar?
    answer: Pedimos 48 horas de antecedência.
  - department: financeiro
    question: Aceitam pix?
    answer: Sim, a chave é o CNPJ.
messages:
  greeting: Olá! Sou a assistente da Padaria.
  fallback: Desculpe, não entendi.
  handoff: Vou chamar alguém da equipe.
  apology: Tivemos um problema, tente de novo.
`

function edited(from: string, to: string): string {
  expect(GOOD).toContain(from)
  return GOOD.replace(from, to)
}

function errorOf(text: string): string {
  try {
    parseKnowledgeBase(text, 'padaria.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    return (err as Error).message
  }
  throw new Error('expected a KnowledgeBaseError')
}

describe('a first knowledge base, with the usual mistakes', () => {
  it('loads as written', () => {
    expect(parseKnowledgeBase(GOOD, 'padaria.yaml').departments).toHaveLength(2)
  })

  it.each([
    ['a tab for indentation', edited('  name: Padaria', '\tname: Padaria'),
      'padaria.yaml: YAML syntax error at line 2, column 1: Tabs are not allowed as indentation (indent with spaces, not tabs)'],
    ['a missing colon', edited('    description: Pagamentos', '    description Pagamentos'),
      'padaria.yaml: YAML syntax error at line 12, column 5: Implicit keys need to be on a single line (is a ":" missing after the field name on this line, or is the next line indented too far?)'],
    ['an unclosed quote, told where it opens', edited('  fallback: Desculpe', '  fallback: "Desculpe'),
      'padaria.yaml: YAML syntax error at line 24, column 13: Missing closing "quote (the quote opened here is never closed)'],
    ['a text with ": " in it', edited('answer: Sim, a chave é o CNPJ.', 'answer: Sim, chave: o CNPJ.'),
      'padaria.yaml: YAML syntax error at line 21, column 13: Nested mappings are not allowed in compact mappings (a text with ": " in it must be in quotes, e.g. answer: "Horário: 8h às 18h"; or this line is indented too far)'],
    ['a field written twice', edited('  apology:', '  greeting: Oi!\n  apology:'),
      'padaria.yaml: YAML syntax error at line 26, column 3: Map keys must be unique (the same field is written twice in this block; keep one)'],
  ])('%s', (_mistake, text, message) => {
    expect(errorOf(text)).toBe(message)
  })

  it.each([
    ['an empty file', '', 'padaria.yaml: expected a mapping with business, departments, faq and messages; got nothing: the file is empty (start from knowledge-base/sample.pt-BR.yaml)'],
    ['a misspelt top-level field', edited('departments:', 'departmets:'),
      "padaria.yaml:1:1: departments: is required (expected a list)\npadaria.yaml:4:1: departmets: unknown field 'departmets'; did you mean 'departments'?"],
    ['a field written in Portuguese', edited('    examples:\n      - qual', '    exemplos:\n      - qual'),
      "padaria.yaml:10:5: departments[1].examples: is required (expected a list)\npadaria.yaml:13:5: departments[1].exemplos: unknown field 'exemplos'; did you mean 'examples'?"],
    ['a misspelt message', edited('  fallback:', '  fallbak:'),
      "padaria.yaml:23:3: messages.fallback: is required (expected text)\npadaria.yaml:24:3: messages.fallbak: 'fallbak' is not a message; did you mean 'fallback'?"],
    ['an unknown message', `${GOOD}  horario: Abrimos às 7h.\n`,
      "padaria.yaml:27:3: messages.horario: 'horario' is not a message; the messages are: greeting, fallback, handoff, apology, closing, farewell, acknowledgement, otherLanguage, nps, npsScoreAgain, npsReason, npsThanks, npsOptOut, handoffClosed, menuBody, menuButton, menuChosen, boletoRead, convenioRead, pixRead, boletoOverdue, boletoDueToday, amountOpen, codeRefused, unreadableImage, unreadableDocument, audioUnheard"],
    ['a department id with spaces and capitals', edited('  - id: pedidos', '  - id: Pedidos e Entregas'),
      "padaria.yaml:5:9: departments[0].id: 'Pedidos e Entregas' must be lowercase letters, digits, \"-\" or \"_\" (no spaces, capitals or accents), e.g. 'pedidos-e-entregas'\n" +
        "padaria.yaml:16:17: faq[0].department: 'pedidos' is not a declared department; expected one of: Pedidos e Entregas, financeiro"],
    ['a department id with an accent', edited('  - id: financeiro', '  - id: finanças').replace('department: financeiro', 'department: finanças'),
      "padaria.yaml:10:9: departments[1].id: 'finanças' must be lowercase letters, digits, \"-\" or \"_\" (no spaces, capitals or accents), e.g. 'financas'"],
    ['a department id declared twice', edited('  - id: financeiro', '  - id: pedidos').replace('department: financeiro', 'department: pedidos'),
      "padaria.yaml:10:9: departments[1].id: 'pedidos' is declared twice (first as departments[0]); give each department its own id"],
    ['an FAQ entry naming a department by its name', edited('department: financeiro', 'department: Financeiro'),
      "padaria.yaml:19:17: faq[1].department: 'Financeiro' is not a declared department; did you mean 'financeiro'?"],
    ['an FAQ entry naming an unknown department', edited('department: financeiro', 'department: entregas'),
      "padaria.yaml:19:17: faq[1].department: 'entregas' is not a declared department; expected one of: pedidos, financeiro"],
    ['an empty examples list', edited('    examples:\n      - qual a chave pix', '    examples: []'),
      'padaria.yaml:13:15: departments[1].examples: needs at least one example'],
    ['examples with nothing under them', edited('    examples:\n      - qual a chave pix', '    examples:'),
      'padaria.yaml:13:14: departments[1].examples: is empty; expected a list'],
    ['an example without a space after the dash', edited('      - quero encomendar', '      -quero encomendar'),
      'padaria.yaml:9:7: departments[0].examples: is one text, not a list; write one "- item" per line, with a space after the "-"'],
    ['a department with no name', edited('    name: Financeiro\n', ''),
      'padaria.yaml:10:5: departments[1].name: is required (expected text)'],
    ['an answer that is a number', edited('answer: Sim, a chave é o CNPJ.', 'answer: 12345'),
      'padaria.yaml:21:13: faq[1].answer: is the number 12345, not text; put it in quotes: "12345"'],
    ['an answer over WhatsApp\'s 4,096 characters', edited('answer: Sim, a chave é o CNPJ.', `answer: ${'a'.repeat(4100)}`),
      "padaria.yaml:21:13: faq[1].answer: is 4100 characters long; the limit is 4096 (WhatsApp's limit for one message): shorten it"],
    ['a language in lowercase', edited('language: pt-BR', 'language: pt-br'),
      "padaria.yaml:3:13: business.language: 'pt-br' is not accepted; expected one of: pt-BR, en (exactly so written)"],
  ])('%s', (_mistake, text, message) => {
    expect(errorOf(text)).toBe(message)
  })
})
