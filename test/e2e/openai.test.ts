import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Engine } from '../helpers/db.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { startStack, textWebhook, type RuntimeKind, type Stack } from '../helpers/e2e.js'

const OPENAI_KEY = 'test-openai-key'

describe.each<[RuntimeKind, Engine]>([['redis', 'postgres'], ['in-process', 'pglite']])(
  'with AI_PROVIDER=openai (%s runtime, %s)',
  (runtime, engine) => {
    let stack: Stack
    let openai: FakeOpenAi
    beforeAll(async () => {
      openai = await startFakeOpenAi()
      stack = await startStack(runtime, engine, {
        AI_PROVIDER: 'openai',
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: openai.url,
        OPENAI_MODEL: 'test-model',
      })
    })
    afterAll(async () => {
      await stack?.close()
      await openai?.close()
    })

    it('answers with the model reply, asked through the real SDK', async () => {
      openai.script({ json: { department: 'financeiro', reply: 'Claro! Enviei a segunda via para você.', resolved: false, handoff: false, confidence: 0.92 } })
      expect((await stack.post(textWebhook('wamid.OAI1', 'preciso da segunda via'))).status).toBe(200)
      const [send] = await stack.graph.waitForSends(1, { timeoutMs: 20_000 })
      expect((send!.body as { text: { body: string } }).text.body).toBe('Claro! Enviei a segunda via para você.')

      const [request] = await openai.waitForRequests(1)
      expect(request!.path).toBe('/v1/chat/completions')
      expect(request!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`)
      expect(request!.body).toMatchObject({ model: 'test-model', response_format: { type: 'json_schema' } })
      expect(JSON.stringify(request!.body.messages)).toContain('preciso da segunda via')
    })
  },
)
