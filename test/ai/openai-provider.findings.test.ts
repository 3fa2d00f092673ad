import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createOpenAiProvider, loadKnowledgeBase, type AiProvider, type KnowledgeBase } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { buildBankBoleto, buildPixCode, describeImage, findingsFromCodes } from '../../src/domain/index.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { turn } from './turn.js'

const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
const pix = buildPixCode({ key: 'financeiro@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 5_000 })

describe('openai provider is grounded in what the customer sent', () => {
  let kb: KnowledgeBase
  let fake: FakeOpenAi
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  beforeEach(async () => {
    // Unscripted, the fake model answers "echo: <last user message>": what it was asked with.
    fake = await startFakeOpenAi()
    ai = createOpenAiProvider({ apiKey: secret('sk-test-placeholder'), baseURL: fake.url, model: 'gpt-test', timeoutMs: 5_000, kb })
  })
  afterEach(async () => {
    await fake.close()
  })

  const userMessages = () => (fake.requests[0]?.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user')

  it("asks the model with a picture's verified boleto figures, and tells it to quote only those", async () => {
    const analysis = { outcome: 'read' as const, findings: findingsFromCodes([{ format: 'ITF', text: boleto.barcode }], '2026-11-25') }
    const reply = await ai.reply(turn([], { unanswered: [{ direction: 'in', text: describeImage(analysis), media: { type: 'image', findings: analysis.findings } }] }))
    const [asked] = userMessages()
    expect(asked?.content).toContain('amount R$')
    expect(asked?.content).toContain('1.234,56')
    expect(asked?.content).toContain('due 2026-12-10')
    expect(asked?.content).toContain('bank Itaú')
    expect(asked?.content).toContain(boleto.line)
    expect(reply.text).toContain('1.234,56')
    const system = (fake.requests[0]?.body.messages as Array<{ content: string }>)[0]?.content
    expect(system).toContain('never state an amount for a code that has no bracketed reading')
  })

  it('puts the verified reading of a typed line and a pasted Pix code next to the text', async () => {
    await ai.reply(turn(`quanto é esse? ${boleto.line} e esse pix ${pix}`))
    const [asked] = userMessages()
    expect(asked?.content).toContain('[boleto (typed by the customer, check digits valid): bank Itaú')
    expect(asked?.content).toContain('[PIX QR code (typed by the customer, check digits valid): payee Loja Exemplo (Sao Paulo)')
  })

  it('gives a tampered typed line no reading, so the model has no figures to quote', async () => {
    const digits = boleto.lineDigits.split('')
    digits[2] = String((Number(digits[2]) + 1) % 10)
    await ai.reply(turn(`quanto é esse? ${digits.join('')}`))
    expect(userMessages()[0]?.content).not.toContain('[boleto')
  })
})
