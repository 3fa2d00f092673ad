import { describe, expect, it } from 'vitest'
import { createLocalProvider, loadKnowledgeBase } from '../../src/ai/index.js'

const kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
const ai = createLocalProvider(kb)
const ask = (text: string, history: Array<{ direction: 'in' | 'out'; text: string }> = []) =>
  ai.reply({ conversationId: 1, history, unanswered: [{ direction: 'in', text }], currentDepartment: undefined })

describe('local provider reply source', () => {
  it('says an FAQ answer came from the knowledge base', async () => {
    expect((await ask(kb.faq[0]!.question)).source).toBe('knowledge-base')
  })

  it('says the "I did not understand" reply is a fallback', async () => {
    const reply = await ask('qual a cor do cavalo branco de napoleão?')
    expect(reply).toMatchObject({ text: kb.messages.fallback, source: 'fallback' })
  })

  it('counts the hand-off after two fallbacks as a fallback too', async () => {
    const reply = await ask('qual a cor do cavalo branco de napoleão?', [{ direction: 'in', text: 'cavalo branco?' }, { direction: 'out', text: kb.messages.fallback }])
    expect(reply).toMatchObject({ handoff: true, source: 'fallback' })
  })

  it('marks greetings and hand-off requests as rule texts', async () => {
    expect((await ask('oi')).source).toBe('rule')
    expect((await ask('quero falar com um atendente')).source).toBe('rule')
  })
})
