import { afterEach, describe, expect, it } from 'vitest'
import { createImageDescriber } from '../../src/ai/index.js'
import { loadConfig } from '../../src/config/index.js'
import { ConfigError } from '../../src/errors.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { answer, picture } from './vision-input.js'

const OPENAI = { AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-placeholder' }

describe('image describer factory', () => {
  let fake: FakeOpenAi | undefined
  afterEach(async () => {
    await fake?.close()
  })

  it('gives no describer with the local provider: pictures stay offline', () => {
    expect(createImageDescriber(loadConfig({}))).toBeUndefined()
  })

  it('gives no describer when the fallback is off', () => {
    expect(createImageDescriber(loadConfig({ ...OPENAI, IMAGE_VISION_FALLBACK: 'off' }))).toBeUndefined()
  })

  it('builds the openai describer on the configured base URL, vision model and byte cap', async () => {
    fake = await startFakeOpenAi()
    const config = loadConfig({ ...OPENAI, OPENAI_BASE_URL: fake.url, OPENAI_VISION_MODEL: 'gpt-vision-test', IMAGE_MAX_BYTES: '4' })
    const vision = createImageDescriber(config)
    expect(vision?.name).toBe('openai')
    await expect(vision!.describe(picture())).rejects.toMatchObject({ code: 'ATD_IMAGE_TOO_LARGE' })
    fake.script({ json: answer() })
    await vision!.describe(picture({ image: Uint8Array.of(0xff, 0xd8, 0xff) }))
    expect(fake.requests).toHaveLength(1)
    expect(fake.requests[0]?.body.model).toBe('gpt-vision-test')
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test-placeholder')
  })

  it('refuses openai without a key', () => {
    const config = loadConfig({})
    const handBuilt = { ai: { ...config.ai, provider: 'openai' as const }, images: { ...config.images, visionFallback: true } }
    expect(() => createImageDescriber(handBuilt)).toThrow(ConfigError)
  })
})
