import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createOpenAiProvider } from '../../src/ai/openai-provider.js'
import type { AiProvider } from '../../src/ai/types.js'
import { secret } from '../../src/config/index.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { turn } from './turn.js'

const API_KEY = 'sk-test-placeholder'

describe('openai provider requests and replies', () => {
  let kb: KnowledgeBase
  let fake: FakeOpenAi
  let ai: AiProvider

  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  beforeEach(async () => {
    fake = await startFakeOpenAi()
    ai = createOpenAiProvider({ apiKey: secret(API_KEY), baseURL: fake.url, model: 'gpt-test', timeoutMs: 5_000, kb })
  })
  afterEach(async () => {
    await fake.close()
  })

  it('posts to chat completions with the model and the bearer key', async () => {
    await ai.reply(turn('oi'))
    const [req] = fake.requests
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(req?.body.model).toBe('gpt-test')
  })

  it('asks for a strict json_schema structured output with the departments as an enum', async () => {
    await ai.reply(turn('oi'))
    const format = fake.requests[0]?.body.response_format
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } })
    const schema = format.json_schema.schema
    expect(schema.required).toEqual(['department', 'reply', 'resolved', 'handoff', 'confidence', 'fallback'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties.department.enum).toEqual(['suporte', 'financeiro', 'comercial', 'cancelamento', null])
  })

  it('puts the business, its departments and the FAQ entries retrieved for the turn in the system prompt', async () => {
    await ai.reply(turn(['bom dia', 'preciso da segunda via do boleto']))
    const [system] = fake.requests[0]?.body.messages
    expect(system.role).toBe('system')
    expect(system.content).toContain('NetVale Fibra')
    expect(system.content).toContain('Brazilian Portuguese')
    for (const d of kb.departments) expect(system.content).toContain(`- ${d.id}: ${d.name}`)
    const boleto = kb.faq.find((f) => f.question.startsWith('Como tirar a segunda via'))
    expect(system.content).toContain(boleto?.answer)
  })

  it('sends the history and the unanswered burst as user and assistant messages, in order', async () => {
    const history = [
      { direction: 'in' as const, text: 'oi' },
      { direction: 'out' as const, text: 'Olá! Como posso ajudar?' },
    ]
    await ai.reply(turn(['minha internet caiu', 'desde ontem'], { history, currentDepartment: 'suporte' }))
    const messages = fake.requests[0]?.body.messages.slice(1)
    expect(messages).toEqual([
      { role: 'user', content: 'oi' },
      { role: 'assistant', content: 'Olá! Como posso ajudar?' },
      { role: 'user', content: 'minha internet caiu' },
      { role: 'user', content: 'desde ontem' },
    ])
    expect(fake.requests[0]?.body.messages[0].content).toContain('currently in department: suporte')
  })

  it('maps the model JSON to a reply', async () => {
    fake.script({ json: { department: 'financeiro', reply: 'Segue a segunda via.', resolved: false, handoff: true, confidence: 0.8 } })
    expect(await ai.reply(turn('boleto'))).toEqual({
      department: 'financeiro',
      text: 'Segue a segunda via.',
      resolved: false,
      handoff: true,
      confidence: 0.8,
      source: 'ai',
    })
  })

  it('marks a reply the model says fell back as a fallback (learning reads it)', async () => {
    fake.script({ json: { department: null, reply: 'Não sei responder isso.', resolved: false, handoff: false, confidence: 0.2, fallback: true } })
    expect((await ai.reply(turn('vocês entregam em Niterói?'))).source).toBe('fallback')
  })

  it('returns the default echo of the fake server through the real SDK', async () => {
    const reply = await ai.reply(turn('teste'))
    expect(reply).toMatchObject({ department: 'suporte', text: 'echo: teste', resolved: false })
  })

  it.each([
    ['an unknown department', 'vendas'],
    ['a null department', null],
  ])('turns %s into undefined', async (_, department) => {
    fake.script({ json: { department, reply: 'Olá', resolved: false, handoff: false, confidence: 0.5 } })
    expect((await ai.reply(turn('oi'))).department).toBeUndefined()
  })

  it('clamps confidence to 0..1', async () => {
    fake.script({ json: { department: null, reply: 'Olá', resolved: true, handoff: false, confidence: 7 } })
    expect((await ai.reply(turn('valeu'))).confidence).toBe(1)
  })

  it('keeps only the latest history messages', async () => {
    const history = Array.from({ length: 30 }, (_, i) => ({ direction: 'in' as const, text: `m${i}` }))
    const limited = createOpenAiProvider({
      apiKey: secret(API_KEY), baseURL: fake.url, model: 'gpt-test', timeoutMs: 5_000, kb, historyMessages: 4,
    })
    await limited.reply(turn('oi', { history }))
    expect(fake.requests[0]?.body.messages.map((m: { content: string }) => m.content).slice(1)).toEqual(['m26', 'm27', 'm28', 'm29', 'oi'])
  })
})
