import { describe, expect, it } from 'vitest'
import { parseKnowledgeBase } from '../../src/ai/knowledge-base.js'
import { KnowledgeBaseError } from '../../src/errors.js'

/** YAML features a knowledge base has no use for: tags and runaway aliases. */
const MESSAGES = `messages:
  greeting: Olá!
  handoff: Vou chamar alguém.
  apology: Desculpe.
`
const BASE = `business: { name: Padaria, language: pt-BR }
departments:
  - { id: pedidos, name: Pedidos, description: Bolos, examples: [bolo] }
faq: []
`

function errorOf(text: string): string {
  try {
    parseKnowledgeBase(text, 'kb.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    return (err as Error).message
  }
  throw new Error('expected a KnowledgeBaseError')
}

describe('YAML features in a knowledge base', () => {
  it.each([
    ['!!js/function', 'fallback: !!js/function "function () { return 1 }"', 'kb.yaml: YAML tag !!js/function at line 9, column 13 is not supported'],
    ['!!binary', 'fallback: !!binary aGVsbG8=', 'kb.yaml: YAML tag !!binary at line 9, column 13 is not supported'],
    ['a local tag', 'fallback: !texto Não entendi', 'kb.yaml: YAML tag !texto at line 9, column 13 is not supported'],
  ])('refuses the tag %s with its line', (_tag, line, message) => {
    expect(errorOf(`${BASE}${MESSAGES}  ${line}\n`)).toMatch(new RegExp(`^${message.replace(/[!.]/g, '\\$&')}`))
  })

  it('accepts !!str, the way to keep a number as text', () => {
    const kb = parseKnowledgeBase(`${BASE}${MESSAGES}  fallback: !!str 404\n`, 'kb.yaml')
    expect(kb.messages.fallback).toBe('404')
  })

  it('refuses a "billion laughs" alias bomb with a sentence, not a stack trace', () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']] as const) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`)
    }
    expect(errorOf(`${levels.join('\n')}\n${BASE}${MESSAGES}  fallback: Não entendi.\n`)).toBe(
      'kb.yaml: YAML aliases (*name) expand to too many copies (more than 100); write the texts out instead of repeating aliases',
    )
  })

  it('accepts an alias used a few times', () => {
    const kb = parseKnowledgeBase(`${BASE}${MESSAGES}  fallback: &nao Não entendi.\n  closing: *nao\n`, 'kb.yaml')
    expect(kb.messages.closing).toBe('Não entendi.')
  })
})
