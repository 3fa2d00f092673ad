import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createLocalProvider } from '../../src/ai/local-provider.js'
import type { AiProvider } from '../../src/ai/types.js'
import { turn } from './turn.js'

describe('local provider on arbitrary text', () => {
  const providers: AiProvider[] = []
  beforeAll(async () => {
    for (const file of ['sample.pt-BR.yaml', 'sample.en.yaml']) {
      providers.push(createLocalProvider(await loadKnowledgeBase(`knowledge-base/${file}`)))
    }
  })

  const texts = fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 }), fc.lorem()), {
    minLength: 1,
    maxLength: 5,
  })

  it('always replies with non-empty text of at most 4096 characters and sane fields', async () => {
    await fc.assert(
      fc.asyncProperty(texts, fc.option(fc.constantFrom('suporte', 'financeiro'), { nil: undefined }), async (msgs, current) => {
        for (const ai of providers) {
          const reply = await ai.reply(turn(msgs, { currentDepartment: current }))
          expect(reply.text.trim().length).toBeGreaterThan(0)
          expect(reply.text.length).toBeLessThanOrEqual(4096)
          expect(reply.confidence).toBeGreaterThanOrEqual(0)
          expect(reply.confidence).toBeLessThanOrEqual(1)
          expect(reply.resolved && reply.handoff).toBe(false)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('handles a very long message', async () => {
    const reply = await providers[0]!.reply(turn('internet lenta '.repeat(5_000)))
    expect(reply.department).toBe('suporte')
  })
})
