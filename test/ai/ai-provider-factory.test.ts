import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createAiProvider, loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/index.js'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { turn } from './turn.js'

describe('AI provider factory', () => {
  let kb: KnowledgeBase
  let fake: FakeOpenAi | undefined
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  afterEach(async () => {
    await fake?.close()
  })

  it('builds the local provider by default', () => {
    expect(createAiProvider(loadConfig({}).ai, kb).name).toBe('local')
  })

  it('builds the openai provider on the configured base URL and key', async () => {
    fake = await startFakeOpenAi()
    const config = loadConfig({ AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-placeholder', OPENAI_BASE_URL: fake.url })
    const ai = createAiProvider(config.ai, kb)
    expect(ai.name).toBe('openai')
    await ai.reply(turn('oi'))
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test-placeholder')
    expect(fake.requests[0]?.body.model).toBe(config.ai.openaiModel)
  })

  it('refuses openai without a key', () => {
    const ai = { ...loadConfig({}).ai, provider: 'openai' as const }
    expect(() => createAiProvider(ai, kb)).toThrow(ConfigError)
  })
})
