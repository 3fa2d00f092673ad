import { describe, expect, it } from 'vitest'
import { parseKnowledgeBase } from '../../src/ai/knowledge-base.js'
import { buildDepartmentMenu } from '../../src/domain/index.js'
import { KnowledgeBaseError } from '../../src/errors.js'

/** What the department menu shows of a knowledge base must fit, and tell departments apart. */
function kbWith(names: string[], messages: Record<string, string> = {}): string {
  return JSON.stringify({
    business: { name: 'Padaria', language: 'pt-BR' },
    departments: names.map((name, i) => ({ id: `d${i}`, name, description: `Assunto ${i}`, examples: [`exemplo ${i}`] })),
    faq: [],
    messages: { greeting: 'Olá!', fallback: 'Não entendi.', handoff: 'Vou chamar alguém.', apology: 'Desculpe.', ...messages },
  })
}

function problems(text: string): string[] {
  try {
    parseKnowledgeBase(text, 'kb.json')
  } catch (err) {
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    return (err as Error).message.split('\n').map((l) => l.replace(/^kb\.json:\d+:\d+: /, ''))
  }
  return []
}

describe('department menu limits', () => {
  it.each([
    ['two button titles cut alike (up to 3 departments: 20 characters)', ['Atendimento ao cliente - loja', 'Atendimento ao cliente - site'],
      ["departments[1].name: shows in the department menu as 'Atendimento ao clie…', as departments[0].name does; customers could not tell them apart: make the first 20 characters differ"]],
    ['two list rows cut alike (4 or more departments: 24 characters)', ['Pedidos', 'Financeiro', 'Atendimento ao cliente - loja', 'Atendimento ao cliente - site'],
      ["departments[3].name: shows in the department menu as 'Atendimento ao cliente…', as departments[2].name does; customers could not tell them apart: make the first 24 characters differ"]],
    ['the same name twice, whatever the case', ['Financeiro', 'financeiro'],
      ["departments[1].name: shows in the department menu as 'financeiro', as departments[0].name does; customers could not tell them apart: make the first 20 characters differ"]],
  ])('refuses %s', (_case, names, expected) => {
    expect(problems(kbWith(names))).toEqual(expected)
  })

  it('accepts long names that differ within the limit, and cuts them as the menu does', () => {
    const names = ['Pedidos, encomendas e entregas em domicílio', 'Financeiro']
    const kb = parseKnowledgeBase(kbWith(names), 'kb.json')
    const menu = buildDepartmentMenu(kb.departments, { body: kb.messages.menuBody, button: kb.messages.menuButton })
    expect(menu.kind === 'buttons' && menu.buttons.map((b) => b.title)).toEqual(['Pedidos, encomendas…', 'Financeiro'])
  })

  it.each([
    ['menuButton', 'Ver todos os assuntos disponíveis', "messages.menuButton: is 33 characters long; the limit is 20 (WhatsApp's limit for a button label): shorten it"],
    ['menuBody', 'a'.repeat(1025), "messages.menuBody: is 1025 characters long; the limit is 1024 (WhatsApp's limit for a menu's text): shorten it"],
  ])('refuses a %s WhatsApp would cut', (key, value, expected) => {
    expect(problems(kbWith(['Pedidos'], { [key]: value }))).toEqual([expected])
  })
})
