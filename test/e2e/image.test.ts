import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet } from '../../bench/images/generate.js'
import { buildBankBoleto } from '../../src/domain/index.js'
import { startStack, type Stack } from '../helpers/e2e.js'
import { webhookWith } from '../whatsapp/fixtures.js'

const boleto = buildBankBoleto({ bankCode: '104', dueDate: '2026-12-20', amountCents: 8_990, freeField: '1234567890123456789012345' })

// One pair per runtime: the reader's worker threads must start under `tsx` in the real process.
describe.each([['redis', 'postgres'], ['in-process', 'pglite']] as const)('a boleto photo is read before the answer (%s runtime, %s)', (runtime, engine) => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack(runtime, engine)
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('downloads the picture, reads the barcode offline and answers the customer', async () => {
    const [photo] = await generateImageSet([{ name: 'boleto', format: 'ITF', text: boleto.barcode }], ['photo-jpeg'])
    stack.graph.addMedia('media-boleto-1', { bytes: Buffer.from(photo!.bytes), mimeType: photo!.mime })
    const from = '5511900000077'
    const message = {
      from, id: 'wamid.E2EIMG1', timestamp: String(Math.floor(Date.now() / 1000)), type: 'image',
      image: { id: 'media-boleto-1', mime_type: photo!.mime, sha256: 'x', caption: 'esse boleto' },
    }
    const res = await stack.post(webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: from }] }))
    expect(res.status).toBe(200)

    const analysed = await stack.atende.waitForLog((l) => l.msg === 'image analysed')
    expect(analysed).toMatchObject({ outcome: 'read', findings: ['boleto'] })
    await stack.atende.waitForLog((l) => l.msg === 'turn replied')
    const sends = await stack.graph.waitForSends(1, { timeoutMs: 20_000 })
    expect(sends[0]!.body).toMatchObject({ to: from, type: 'text' })
    expect(stack.graph.requests.filter((r) => r.kind === 'media-download')).toHaveLength(1)
  })
})
