import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOpenAiVision, type ImageDescriber, type OpenAiVisionOptions } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { answer, JPEG, picture } from './vision-input.js'

const API_KEY = 'sk-test-placeholder'
// A fictional slip's line, printed with the usual separators.
const PRINTED_LINE = '23790.12345 60000.000003 00000.000000 1 00000000015000'

describe('openai image describer: requests and answers', () => {
  let fake: FakeOpenAi
  let vision: ImageDescriber

  const describer = (options: Partial<OpenAiVisionOptions> = {}) =>
    createOpenAiVision({ apiKey: secret(API_KEY), baseURL: fake.url, model: 'gpt-vision-test', timeoutMs: 5_000, maxImageBytes: 1024, ...options })

  beforeEach(async () => {
    fake = await startFakeOpenAi()
    vision = describer()
  })
  afterEach(async () => {
    // Loopback only: everything the describer sent reached the fake on 127.0.0.1.
    for (const r of fake.requests) expect(r.headers.host).toBe(new URL(fake.url).host)
    await fake.close()
  })

  it('posts the picture as a data URL with its MIME type, low detail, the model and JSON mode', async () => {
    fake.script({ json: answer() })
    await vision.describe(picture())
    const [req] = fake.requests
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`)
    expect(req?.body.model).toBe('gpt-vision-test')
    expect(req?.body.response_format).toEqual({ type: 'json_object' })
    const image = req?.body.messages[1].content.find((p: { type: string }) => p.type === 'image_url')
    expect(image.image_url).toEqual({ url: `data:image/jpeg;base64,${Buffer.from(JPEG).toString('base64')}`, detail: 'low' })
  })

  it('asks for JSON in the system prompt, as JSON mode requires, and names the language', async () => {
    fake.script({ json: answer() })
    await vision.describe(picture())
    const [system] = fake.requests[0]?.body.messages
    expect(system.role).toBe('system')
    expect(system.content).toContain('JSON')
    expect(system.content).toContain('Brazilian Portuguese')
  })

  it('sends the caption as quoted data, and says when there is none', async () => {
    fake.script({ json: answer() }, { json: answer() })
    await vision.describe(picture({ caption: 'segue o boleto "vencido"' }))
    await vision.describe(picture())
    const textOf = (i: number) => fake.requests[i]?.body.messages[1].content.find((p: { type: string }) => p.type === 'text').text
    expect(textOf(0)).toBe('Customer caption: "segue o boleto \\"vencido\\""')
    expect(textOf(1)).toBe('No caption.')
  })

  it('uses the configured detail, the normalised MIME type, and only the bytes of a view', async () => {
    vision = describer({ detail: 'high' })
    fake.script({ json: answer() })
    const padded = new Uint8Array([9, 9, ...JPEG, 9])
    await vision.describe(picture({ image: padded.subarray(2, 2 + JPEG.length), mimeType: 'Image/JPG; charset=binary' }))
    const image = fake.requests[0]?.body.messages[1].content.find((p: { type: string }) => p.type === 'image_url')
    expect(image.image_url).toEqual({ url: `data:image/jpeg;base64,${Buffer.from(JPEG).toString('base64')}`, detail: 'high' })
  })

  it('maps a good answer to a description, the extracted fields normalised for the domain parsers', async () => {
    fake.script({ json: answer({ line: PRINTED_LINE, amount: 'R$ 1.150,00', pixCode: null }) })
    expect(await vision.describe(picture())).toEqual({
      text: 'A bank payment slip from NetVale Fibra due on 10 May.',
      kind: 'boleto',
      extracted: { line: PRINTED_LINE.replace(/[ .]/g, ''), amount: '1150.00' },
      model: 'gpt-vision-test',
    })
  })

  it('keeps a PIX payload as printed, joining its wrapped lines', async () => {
    const payload = '00020126360014BR.GOV.BCB.PIX0114+5511900000001520400005303986540510.005802BR5913NETVALE FIBRA6009SAO PAULO62070503***6304ABCD'
    fake.script({ json: answer({ kind: 'pix', pixCode: `${payload.slice(0, 60)}\n${payload.slice(60)}` }) })
    const d = await vision.describe(picture())
    expect(d).toMatchObject({ kind: 'pix', extracted: { pixCode: payload } })
  })

  it('leaves extracted out when the model read nothing usable', async () => {
    fake.script({ json: answer({ kind: 'product', line: 'not legible', amount: 'cento e cinquenta', pixCode: '  ' }) })
    const d = await vision.describe(picture())
    expect(d.kind).toBe('product')
    expect(d).not.toHaveProperty('extracted')
  })

  it('accepts an answer that omits the optional fields', async () => {
    fake.script({ json: { kind: 'other', description: 'A photo of a router with a red light.' } })
    expect(await vision.describe(picture())).toEqual({ text: 'A photo of a router with a red light.', kind: 'other', model: 'gpt-vision-test' })
  })

  it('withholds long digit runs from the text, so an unverified code never reaches the reply prompt', async () => {
    fake.script({ json: answer({ description: `Slip with line ${PRINTED_LINE} and CPF 123.456.789-09, total 150,00.` }) })
    const { text } = await vision.describe(picture())
    expect(text).toBe('Slip with line [number withheld] and CPF [number withheld], total 150,00.')
  })
})
