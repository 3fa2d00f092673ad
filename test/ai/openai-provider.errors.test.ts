import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createOpenAiProvider } from '../../src/ai/openai-provider.js'
import { secret } from '../../src/config/index.js'
import { AiProviderError } from '../../src/errors.js'
import { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiOptions } from '../helpers/fake-openai.js'
import { turn } from './turn.js'

describe('openai provider failures', () => {
  let kb: KnowledgeBase
  let fake: FakeOpenAi | undefined

  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  afterEach(async () => {
    await fake?.close()
    fake = undefined
  })

  async function provider(options: FakeOpenAiOptions = {}, timeoutMs = 5_000) {
    fake = await startFakeOpenAi(options)
    return createOpenAiProvider({ apiKey: secret('sk-test-placeholder'), baseURL: fake.url, model: 'gpt-test', timeoutMs, kb })
  }

  async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AiProviderError)
    return err as AiProviderError
  }

  it('rejects invalid JSON as a retryable error without quoting it', async () => {
    const ai = await provider()
    fake!.script({ content: 'Claro! Aqui está: {department: suporte' })
    const err = await failure(ai.reply(turn('oi')))
    expect(err).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: true })
    expect(err.message).not.toContain('Claro')
    expect(err.cause).toBeInstanceOf(SyntaxError)
  })

  it('rejects JSON that does not match the schema, naming the bad fields', async () => {
    const ai = await provider()
    fake!.script({ json: { department: 'suporte', resolved: 'yes', handoff: false, confidence: 0.5 } })
    const err = await failure(ai.reply(turn('oi')))
    expect(err.retryable).toBe(true)
    expect(err.message).toMatch(/bad fields: reply, resolved/)
  })

  it('rejects an empty completion', async () => {
    const ai = await provider()
    fake!.script({ content: '' })
    expect((await failure(ai.reply(turn('oi')))).retryable).toBe(true)
  })

  it.each([500, 502, 503, 429])('treats HTTP %i as retryable and does not retry by itself', async (status) => {
    const ai = await provider()
    fake!.script({ status })
    const err = await failure(ai.reply(turn('oi')))
    expect(err).toMatchObject({ retryable: true, message: `the AI API answered HTTP ${status}` })
    expect((err.cause as { status?: number }).status).toBe(status)
    expect(fake!.requests).toHaveLength(1)
  })

  it.each([400, 401, 403, 404])('treats HTTP %i as not retryable', async (status) => {
    const ai = await provider()
    fake!.script({ status, body: { error: { message: 'Incorrect API key provided: sk-te****', type: 'invalid_request_error' } } })
    const err = await failure(ai.reply(turn('oi')))
    expect(err.retryable).toBe(false)
    expect(err.message).not.toContain('sk-')
  })

  it('gives up after timeoutMs with a retryable error', async () => {
    const ai = await provider({ latencyMs: 5_000 }, 200)
    const started = performance.now()
    const err = await failure(ai.reply(turn('oi')))
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(err).toMatchObject({ retryable: true, message: 'the AI API did not answer within 200 ms' })
  })

  it('stops when the turn signal aborts', async () => {
    const ai = await provider({ latencyMs: 5_000 })
    const controller = new AbortController()
    const pending = ai.reply(turn('oi', { signal: controller.signal }))
    await fake!.waitForRequests(1, AbortSignal.timeout(5_000))
    controller.abort()
    const err = await failure(pending)
    expect(err).toMatchObject({ retryable: true, message: 'the AI request was aborted' })
  })

  it('reports a refused connection as retryable', async () => {
    const ai = await provider()
    await fake!.close()
    expect((await failure(ai.reply(turn('oi')))).retryable).toBe(true)
  })
})
