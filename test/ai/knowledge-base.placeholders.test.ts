import { describe, expect, it } from 'vitest'
import { DEFAULT_FINDING_TEXTS } from '../../src/ai/finding-texts.js'
import { LIFECYCLE_MESSAGES, parseKnowledgeBase } from '../../src/ai/knowledge-base.js'
import { KnowledgeBaseError } from '../../src/errors.js'

/** A message's `{placeholders}`: an unknown one would reach customers as typed. */
function kbWith(messages: Record<string, string>): string {
  return JSON.stringify({
    business: { name: 'Padaria', language: 'pt-BR' },
    departments: [{ id: 'pedidos', name: 'Pedidos', description: 'Bolos', examples: ['bolo'] }],
    faq: [],
    messages: { greeting: 'Olá!', fallback: 'Não entendi.', handoff: 'Vou chamar alguém.', apology: 'Desculpe.', ...messages },
  })
}

function problems(messages: Record<string, string>): string[] {
  try {
    parseKnowledgeBase(kbWith(messages), 'kb.json')
  } catch (err) {
    expect(err).toBeInstanceOf(KnowledgeBaseError)
    return (err as Error).message.split('\n').map((l) => l.replace(/^kb\.json:\d+:\d+: /, ''))
  }
  return []
}

describe('message placeholders', () => {
  it.each([
    ['a misspelt placeholder', { boletoRead: 'Valor: {valr}\n{amount}\n{line}' },
      ['messages.boletoRead: {valr} is not a placeholder: it would reach customers as written; did you mean {amount}? (this message can use {bank}, {amount}, {dueDate}, {status}, {line})']],
    ['a placeholder in Portuguese', { menuChosen: 'Certo! Sobre {departamento}, como posso ajudar?' },
      ['messages.menuChosen: {departamento} is not a placeholder: it would reach customers as written; did you mean {department}? (this message can use {department})']],
    ['a placeholder in a message that has none', { greeting: 'Olá, {nome}!' },
      ['messages.greeting: {nome} is not a placeholder: it would reach customers as written; this message has no placeholders']],
    ['spaces inside the braces', { handoffClosed: 'Voltamos {nextOpening }.' },
      ['messages.handoffClosed: {nextOpening } is not a placeholder: it would reach customers as written; did you mean {nextOpening}? (this message can use {nextOpening})',
        'messages.handoffClosed: must contain {nextOpening} (when the team is back, e.g. "amanhã às 8h")']],
    ['a closed-hours message that never says when', { handoffClosed: 'Estamos fechados agora.' },
      ['messages.handoffClosed: must contain {nextOpening} (when the team is back, e.g. "amanhã às 8h")']],
    ['a boleto reply without the line to copy', { boletoRead: 'Li o boleto: {amount}' },
      ['messages.boletoRead: must contain {line} (the line to copy)']],
  ])('%s', (_mistake, messages, expected) => {
    expect(problems(messages)).toEqual(expected)
  })

  it('accepts every placeholder where it is filled', () => {
    expect(problems({ menuChosen: 'Sobre {department}?', boletoOverdue: 'Vencido há {days} dias ({daysText}).', pixRead: '{payee} {amount} {keyType} {url}' })).toEqual([])
  })

  it.each(['pt-BR', 'en'] as const)('accepts the %s defaults written out', (language) => {
    expect(problems({ ...LIFECYCLE_MESSAGES[language], ...DEFAULT_FINDING_TEXTS[language] })).toEqual([])
  })
})
