import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createLocalProvider } from '../../src/ai/local-provider.js'
import type { AiMessage, AiProvider } from '../../src/ai/types.js'
import { departmentChoiceId, menuDepartments } from '../../src/domain/index.js'
import { turn } from './turn.js'

// "When unsure, ask" (issue #12): below the router's threshold the local provider answers
// with the department menu, and the turn that picks a department answers the question asked
// before it.
describe('the local provider asks with the department menu when unsure', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })

  it.each(['tenho uma dúvida', 'preciso de ajuda'])('a message with no department signal (%s) gets the menu of every department', async (text) => {
    const reply = await ai.reply(turn(text))
    expect(reply.department).toBeUndefined()
    expect(reply.menu).toBeDefined()
    expect(reply.menu!.kind).toBe('list')
    expect(menuDepartments(reply.menu!).sort()).toEqual(kb.departments.map((d) => d.id).sort())
    expect(reply.text).toBe(kb.messages.menuBody)
  })

  it('a message the router routes gets an answer, not the menu', async () => {
    const reply = await ai.reply(turn('como pego a segunda via do boleto?'))
    expect(reply.menu).toBeUndefined()
    expect(reply.department).toBe('financeiro')
  })

  /** The conversation after an ambiguous question got the menu. */
  async function afterMenu(question: string): Promise<AiMessage[]> {
    const menu = await ai.reply(turn(question))
    expect(menu.menu, `no menu for "${question}"`).toBeDefined()
    return [
      { direction: 'in', text: question },
      { direction: 'out', text: menu.text, menu: menuDepartments(menu.menu!) },
    ]
  }

  it('a tapped row routes the conversation and answers the question asked before the menu', async () => {
    // The menu came after an unclear message; the question before it is the one the pick answers.
    const history: AiMessage[] = [
      { direction: 'in', text: 'como pego a segunda via?' },
      ...(await afterMenu('tenho uma dúvida')),
    ]
    const reply = await ai.reply({
      ...turn('Financeiro'),
      history,
      unanswered: [{ direction: 'in', text: 'Financeiro', choice: departmentChoiceId('financeiro') }],
    })
    expect(reply.menu).toBeUndefined()
    expect(reply.department).toBe('financeiro')
    expect(reply.text).toMatch(/segunda via/i)
  })

  it('a typed number or department name picks from the menu', async () => {
    const history = await afterMenu('preciso de ajuda')
    const second = menuDepartments((await ai.reply(turn('preciso de ajuda'))).menu!)[1]!
    expect((await ai.reply(turn('2', { history }))).department).toBe(second)
    expect((await ai.reply(turn('financeiro', { history }))).department).toBe('financeiro')
    expect((await ai.reply(turn('Suporte técnico!', { history }))).department).toBe('suporte')
  })

  it('with no question before the menu, the pick is acknowledged by name', async () => {
    const history = await afterMenu('preciso de ajuda')
    const reply = await ai.reply({ ...turn('x'), history, unanswered: [{ direction: 'in', text: 'Comercial', choice: departmentChoiceId('comercial') }] })
    expect(reply.department).toBe('comercial')
    expect(reply.text).toBe('Certo! Me conte como posso te ajudar com Comercial.')
  })

  it('a number outside the menu or an unknown tap picks nothing, and the menu is not sent twice in a row', async () => {
    const history = await afterMenu('preciso de ajuda')
    const reply = await ai.reply({ ...turn('9'), history, unanswered: [{ direction: 'in', text: '9', choice: 'department:nope' }] })
    expect(reply.menu).toBeUndefined()
    expect(reply.department).toBeUndefined()
    expect(reply.text).toBe(kb.messages.fallback)
  })
})
