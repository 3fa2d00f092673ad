import { afterEach, describe, expect, it } from 'vitest'
import { createOpenAiVision, type ImageDescriber } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { AiProviderError, AtendeError, ImageTooLargeError, UnsupportedImageError } from '../../src/errors.js'
import { startFakeOpenAi, type FakeOpenAi, type FakeOpenAiOptions } from '../helpers/fake-openai.js'
import { answer, picture } from './vision-input.js'

describe('openai image describer failures', () => {
  let fake: FakeOpenAi | undefined

  afterEach(async () => {
    await fake?.close()
    fake = undefined
  })

  async function describer(options: FakeOpenAiOptions = {}, timeoutMs = 5_000): Promise<ImageDescriber> {
    fake = await startFakeOpenAi(options)
    return createOpenAiVision({ apiKey: secret('sk-test-placeholder'), baseURL: fake.url, model: 'gpt-vision-test', timeoutMs, maxImageBytes: 16 })
  }

  async function failure(promise: Promise<unknown>): Promise<AtendeError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(AtendeError)
    return err as AtendeError
  }

  it('refuses an image over the byte cap without making a request', async () => {
    const vision = await describer()
    const err = await failure(vision.describe(picture({ image: new Uint8Array(17) })))
    expect(err).toBeInstanceOf(ImageTooLargeError)
    expect(err).toMatchObject({ code: 'ATD_IMAGE_TOO_LARGE', retryable: false, bytes: 17, maxBytes: 16 })
    expect(fake!.requests).toHaveLength(0)
  })

  it.each([
    ['a PDF', { mimeType: 'application/pdf' }],
    ['an empty image', { image: new Uint8Array(0) }],
  ])('refuses %s without making a request', async (_, overrides) => {
    const vision = await describer()
    const err = await failure(vision.describe(picture(overrides)))
    expect(err).toBeInstanceOf(UnsupportedImageError)
    expect(err).toMatchObject({ code: 'ATD_IMAGE_UNSUPPORTED', retryable: false })
    expect(fake!.requests).toHaveLength(0)
  })

  it('rejects invalid JSON as a retryable error without quoting it', async () => {
    const vision = await describer()
    fake!.script({ content: 'O boleto é da NetVale: {kind: boleto' })
    const err = await failure(vision.describe(picture()))
    expect(err).toBeInstanceOf(AiProviderError)
    expect(err).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: true })
    expect(err.message).not.toContain('NetVale')
    expect(err.cause).toBeInstanceOf(SyntaxError)
  })

  it('rejects JSON that does not match the schema, naming the bad fields', async () => {
    const vision = await describer()
    fake!.script({ json: answer({ kind: 'invoice', description: '', line: 123 }) })
    const err = await failure(vision.describe(picture()))
    expect(err).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: true })
    expect(err.message).toMatch(/bad fields: kind, description, line/)
  })

  it('rejects an empty completion as retryable', async () => {
    const vision = await describer()
    fake!.script({ content: '' })
    expect(await failure(vision.describe(picture()))).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: true })
  })

  it('treats a refusal as not retryable', async () => {
    const vision = await describer()
    fake!.script({ refusal: 'I cannot help with that.' })
    expect(await failure(vision.describe(picture()))).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: false })
  })

  it.each([500, 429])('maps HTTP %i as the text provider does: retryable, no retry by itself', async (status) => {
    const vision = await describer()
    fake!.script({ status })
    const err = await failure(vision.describe(picture()))
    expect(err).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: true, message: `the AI API answered HTTP ${status}` })
    expect(fake!.requests).toHaveLength(1)
  })

  it('maps HTTP 400 (e.g. a model without image input) as not retryable, keeping the API text out', async () => {
    const vision = await describer()
    fake!.script({ status: 400, body: { error: { message: 'Invalid image for key sk-te****', type: 'invalid_request_error' } } })
    const err = await failure(vision.describe(picture()))
    expect(err).toMatchObject({ retryable: false, message: 'the AI API answered HTTP 400 (not retryable)' })
  })

  it('stops when the signal aborts', async () => {
    const vision = await describer({ latencyMs: 5_000 })
    const controller = new AbortController()
    const pending = vision.describe(picture({ signal: controller.signal }))
    await fake!.waitForRequests(1, AbortSignal.timeout(5_000))
    controller.abort()
    expect(await failure(pending)).toMatchObject({ retryable: true, message: 'the AI request was aborted' })
  })

  it('gives up after timeoutMs with a retryable error', async () => {
    const vision = await describer({ latencyMs: 5_000 }, 200)
    const err = await failure(vision.describe(picture()))
    expect(err).toMatchObject({ retryable: true, message: 'the AI API did not answer within 200 ms' })
  })

  it('reports a refused connection as retryable and goes nowhere else', async () => {
    const vision = await describer()
    await fake!.close()
    expect(await failure(vision.describe(picture()))).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: true })
  })
})
