import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createFaqIndex, type FaqIndex } from '../../src/ai/text-index.js'

describe('FAQ index', () => {
  let kb: KnowledgeBase
  let index: FaqIndex
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    index = createFaqIndex(kb)
  })

  it('returns the most relevant entries first, with their department', () => {
    const [first, ...rest] = index.search('segunda via do boleto', 3)
    expect(first).toMatchObject({ department: 'financeiro', question: 'Como tirar a segunda via do boleto?' })
    for (const r of rest) expect(r.score).toBeLessThanOrEqual(first!.score)
  })

  it('returns at most `limit` entries', () => {
    expect(index.search('internet', 2)).toHaveLength(2)
  })

  it('returns nothing for text without content words', () => {
    expect(index.search('o a de', 5)).toEqual([])
    expect(index.search('', 5)).toEqual([])
  })

  it('gives the answer text exactly as written in the knowledge base', () => {
    const [hit] = index.search('chave pix', 1)
    expect(kb.faq.some((f) => f.answer === hit?.answer)).toBe(true)
  })
})
