import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createLocalProvider } from '../../src/ai/local-provider.js'
import type { AiProvider } from '../../src/ai/types.js'
import { ROUTING_CASES } from './routing-cases.js'
import { turn } from './turn.js'

describe('local provider routing on held-out messages', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })

  it('has at least 30 held-out cases', () => {
    expect(ROUTING_CASES.length).toBeGreaterThanOrEqual(30)
  })

  it('routes at least 85% of the messages to the right department', async () => {
    const wrong: string[] = []
    for (const c of ROUTING_CASES) {
      const reply = await ai.reply(turn(c.text))
      if (reply.department !== c.department) wrong.push(`${c.text} → ${reply.department ?? 'undefined'}`)
    }
    const accuracy = 1 - wrong.length / ROUTING_CASES.length
    expect(accuracy, `misrouted:\n${wrong.join('\n')}`).toBeGreaterThanOrEqual(0.85)
  })

  it.each(ROUTING_CASES.filter((c) => c.faq !== undefined))('answers "$text" from its FAQ entry', async (c) => {
    const reply = await ai.reply(turn(c.text))
    const question = kb.faq.find((f) => f.answer === reply.text)?.question ?? '(not an FAQ answer)'
    const expected = [c.faq ?? []].flat()
    expect(expected.some((prefix) => question.startsWith(prefix)), `got: ${question}`).toBe(true)
    expect(reply.resolved).toBe(false)
    expect(reply.handoff).toBe(false)
  })

  it('is deterministic', async () => {
    const a = await ai.reply(turn('minha internet ta lenta'))
    const b = await createLocalProvider(kb).reply(turn('minha internet ta lenta'))
    expect(b).toEqual(a)
  })
})
