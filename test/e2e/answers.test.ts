import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet } from '../../bench/images/generate.js'
import { buildBankBoleto, buildPixCode } from '../../src/domain/index.js'
import { startStack, textWebhook, type Stack } from '../helpers/e2e.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { boletoBarcodePage, buildPdf } from '../helpers/pdf.js'
import { webhookWith } from '../whatsapp/fixtures.js'

/** `yyyy-mm-dd`, `days` from now (the real clock: the process under test reads it too). */
const dayFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)
const brDate = (iso: string) => iso.split('-').reverse().join('/')

const upcoming = buildBankBoleto({ bankCode: '341', dueDate: dayFromNow(20), amountCents: 123_456, freeField: '1570000000123456789012345' })
const overdue = buildBankBoleto({ bankCode: '104', dueDate: dayFromNow(-10), amountCents: 8_990, freeField: '1234567890123456789012345' })
const pix = buildPixCode({ key: 'financeiro@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 5_000 })

// The embedded default (local provider) through the real `serve`: what the customer sent is
// what the reply is about. One runtime: the reader's threads are covered by image.test.ts.
describe('the local provider answers pictures and typed codes through the real serve', () => {
  let stack: Stack
  let transcription: FakeOpenAi
  let n = 0
  beforeAll(async () => {
    // Transcription on with the offline provider: a local Whisper server is a fake one here.
    transcription = await startFakeOpenAi()
    stack = await startStack('in-process', 'pglite', {
      TRANSCRIPTION_PROVIDER: 'openai', TRANSCRIPTION_BASE_URL: transcription.url, TRANSCRIPTION_API_KEY: 'sk-test-placeholder',
    })
  })
  afterAll(async () => {
    await stack?.close()
    await transcription?.close()
    // The table of issue #12's closing note: what each input got back.
    console.info(JSON.stringify({ figure: 'customer inputs and replies', rows: got }, null, 1))
  })

  /** What the customer sent and the reply, for the closing note's table. */
  const got: Array<{ input: string; reply: string }> = []
  const noted = (input: string, reply: string) => {
    got.push({ input, reply })
    return reply
  }

  /** Posts one media message of `type` whose bytes the fake Graph API serves; the reply to it. */
  async function sendMedia(type: 'document' | 'audio', bytes: Buffer, mimeType: string, extra: Record<string, unknown>): Promise<string> {
    const id = `media-${type}-${++n}`
    stack.graph.addMedia(id, { bytes, mimeType })
    const from = `55119000002${String(n).padStart(2, '0')}`
    const message = { from, id: `wamid.ANSWER${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type, [type]: { id, mime_type: mimeType, sha256: 'x', ...extra } }
    expect((await stack.post(webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: from }] }))).status).toBe(200)
    return replyTo(from)
  }

  async function sendPicture(name: string, format: 'ITF' | 'QRCode', text: string): Promise<string> {
    const [photo] = await generateImageSet([{ name, format, text }], ['photo-jpeg'])
    const id = `media-${name}`
    stack.graph.addMedia(id, { bytes: Buffer.from(photo!.bytes), mimeType: photo!.mime })
    const from = `55119000001${String(++n).padStart(2, '0')}`
    const message = {
      from, id: `wamid.ANSWER${n}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'image',
      image: { id, mime_type: photo!.mime, sha256: 'x' },
    }
    expect((await stack.post(webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: from }] }))).status).toBe(200)
    return replyTo(from)
  }

  /** The tests run one after another and each conversation gets one reply part. */
  let replies = 0
  async function replyTo(to: string): Promise<string> {
    const sends = await stack.graph.waitForSends(++replies, { timeoutMs: 30_000 })
    const mine = sends.map((s) => s.body as { to: string; text: { body: string } }).find((b) => b.to === to)
    expect(mine, `no reply to ${to}`).toBeDefined()
    return mine!.text.body
  }

  it('answers a boleto photo with its bank, amount, due date and line', async () => {
    const reply = noted('photo of a boleto (Itaú, due in 20 days)', await sendPicture('boleto-upcoming', 'ITF', upcoming.barcode))
    expect(reply).toContain('Itaú')
    expect(reply).toContain('R$ 1.234,56')
    expect(reply).toContain(brDate(dayFromNow(20)))
    expect(reply).toContain(upcoming.line)
    expect(reply).not.toContain('vencido')
  })

  it('says an overdue boleto is overdue', async () => {
    const reply = noted('photo of a boleto (Caixa, 10 days overdue)', await sendPicture('boleto-overdue', 'ITF', overdue.barcode))
    expect(reply).toContain('R$ 89,90')
    expect(reply).toMatch(/vencido há (9|10|11) dias:/)
  })

  it('answers a Pix QR code with payee, amount and key type', async () => {
    const reply = noted('photo of a Pix QR code', await sendPicture('pix', 'QRCode', pix))
    expect(reply).toContain('Loja Exemplo')
    expect(reply).toContain('R$ 50,00')
    expect(reply).toContain('e-mail')
  })

  it('refuses a tampered line typed as text, saying which part looks wrong', async () => {
    const digits = upcoming.lineDigits.split('')
    digits[12] = String((Number(digits[12]) + 1) % 10)
    const from = '5511900000199'
    expect((await stack.post(textWebhook('wamid.ANSWERTYPED', `paguei esse? ${digits.join('')}`, from))).status).toBe(200)
    const reply = noted('typed linha digitável, one digit changed', await replyTo(from))
    expect(reply).toContain('2º campo (dígitos 11 a 21)')
    expect(reply).not.toContain('R$')
  })

  it('answers a linha digitável typed as text', async () => {
    const from = '5511900000198'
    expect((await stack.post(textWebhook('wamid.ANSWERLINE', `esse ta certo? ${upcoming.line}`, from))).status).toBe(200)
    const reply = noted('typed linha digitável', await replyTo(from))
    expect(reply).toContain('R$ 1.234,56')
    expect(reply).toContain(brDate(dayFromNow(20)))
  })

  it('answers a Pix copia-e-cola typed as text', async () => {
    const from = '5511900000197'
    expect((await stack.post(textWebhook('wamid.ANSWERPIX', pix, from))).status).toBe(200)
    const reply = noted('typed Pix copia e cola', await replyTo(from))
    expect(reply).toContain('Loja Exemplo')
    expect(reply).toContain('R$ 50,00')
  })

  it('answers a PDF boleto with its amount and due date', async () => {
    const pdf = buildPdf([['Banco Itau - Boleto', `Linha digitavel: ${upcoming.line}`]])
    const reply = noted('PDF boleto (text layer)', await sendMedia('document', pdf, 'application/pdf', { filename: 'boleto.pdf' }))
    expect(reply).toContain('R$ 1.234,56')
    expect(reply).toContain(brDate(dayFromNow(20)))
  })

  it('answers a PDF boleto printed as a barcode only, from its rendered page', async () => {
    const pdf = buildPdf([await boletoBarcodePage(overdue.barcode)])
    const reply = noted('PDF boleto (barcode only, no text)', await sendMedia('document', pdf, 'application/pdf', { filename: 'boleto.pdf' }))
    expect(reply).toContain('R$ 89,90')
    expect(reply).toContain(brDate(dayFromNow(-10)))
  })

  it('answers a voice note from its transcript', async () => {
    transcription.scriptTranscripts({ text: 'quero cancelar minha internet' })
    const reply = noted(
      'voice note ("quero cancelar minha internet")',
      await sendMedia('audio', Buffer.from('OggS fictional voice note'), 'audio/ogg; codecs=opus', { voice: true }),
    )
    expect(transcription.requests.some((r) => r.path === '/v1/audio/transcriptions')).toBe(true)
    expect(reply).toMatch(/cancelamento/i)
  })
})
