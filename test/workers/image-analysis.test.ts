import { sql } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet, type GeneratedImage } from '../../bench/images/generate.js'
import { createOpenAiVision } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { buildBankBoleto, buildPixCode, type ImageAnalysis } from '../../src/domain/index.js'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { graphError } from '../helpers/fake-graph.js'
import { startFakeOpenAi } from '../helpers/fake-openai.js'
import { answer } from '../ai/vision-input.js'
import { useWorkerSuite, type Harness } from './harness.js'

const MiB = 1024 * 1024
const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 25_990, freeField: '1091234567812345678901230' })
const pix = buildPixCode({ key: 'pagamentos@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 4_500 })

describe.each(ENGINES)('image-analysis (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let images: GeneratedImage[]
  beforeAll(async () => {
    images = await generateImageSet(
      [{ name: 'boleto', format: 'ITF', text: boleto.barcode }, { name: 'pix', format: 'QRCode', text: pix }],
      ['photo-jpeg', 'clean-png', 'no-code'],
    )
  })
  const picture = (name: string, variant: string) => {
    const image = images.find((i) => (i.name === name || variant === 'no-code') && i.variant === variant)!
    return { bytes: Buffer.from(image.bytes), mimeType: image.mime }
  }

  async function messageRow(id: number) {
    const [r] = await queryRows<{ analysis: ImageAnalysis | null; processed_at: unknown; attempts: number }>(
      suite.database.db,
      sql`select analysis, processed_at, attempts from messages where id = ${id}`,
    )
    return r!
  }

  /** The picture arrives and message-processing hands it to image-analysis. */
  async function received(h: Harness, image: { bytes: Buffer; mimeType: string; caption?: string }) {
    const accepted = await h.receiveImage(image)
    await h.process([accepted])
    return accepted
  }

  it('holds the turn until the picture is read, then answers with what the boleto says', async () => {
    const { fake, ai } = await suite.openAi()
    const h = await suite.harness(ai)
    const accepted = await received(h, { ...picture('boleto', 'photo-jpeg'), caption: 'pode ver esse boleto?' })
    // message-processing handed it over and did not wake the turn: the analysis will.
    expect(h.dispatcher.wakeUps.filter((w) => w.queue !== 'message-processing')).toEqual([{ queue: 'image-analysis', messageId: accepted.messageId }])
    expect((await messageRow(accepted.messageId)).processed_at).toBeNull()
    h.clock.advance(60_000)
    expect(await h.turn(accepted.conversationId)).toMatchObject({ reason: 'messages still processing' })

    expect(await h.analyse(accepted.messageId)).toBeUndefined()
    const row = await messageRow(accepted.messageId)
    expect(row.processed_at).not.toBeNull()
    expect(row.analysis).toMatchObject({ outcome: 'read', findings: [{ kind: 'boleto', source: 'barcode', boleto: { barcode: boleto.barcode, amountCents: 25_990, dueDate: '2026-12-10', bankName: 'Itaú' } }] })
    expect(h.dispatcher.turnWakeUps(accepted.conversationId)).toHaveLength(1)

    await h.turn(accepted.conversationId)
    expect(h.sends()).toHaveLength(1)
    const prompt = JSON.stringify(fake.requests.at(-1)!.body.messages)
    expect(prompt).toContain('pode ver esse boleto?')
    expect(prompt).toContain(boleto.line)
    expect(prompt).toMatch(/R\$\s259,90/)
  })

  it('reads a PIX QR code', async () => {
    const h = await suite.harness()
    const accepted = await received(h, picture('pix', 'clean-png'))
    await h.analyse(accepted.messageId)
    expect((await messageRow(accepted.messageId)).analysis).toMatchObject({
      outcome: 'read', findings: [{ kind: 'pix', pix: { merchantName: 'Loja Exemplo', amountCents: 4_500, key: 'pagamentos@loja.com.br' } }],
    })
  })

  it('says nothing was found when no code is read and no vision model is configured', async () => {
    const h = await suite.harness()
    const accepted = await received(h, picture('', 'no-code'))
    await h.analyse(accepted.messageId)
    expect((await messageRow(accepted.messageId)).analysis).toEqual({ outcome: 'nothing', findings: [] })
  })

  it('asks the vision model only when no code was read, and keeps its digits only if they check', async () => {
    const fake = await startFakeOpenAi()
    try {
      const describer = createOpenAiVision({ apiKey: secret('sk-test'), baseURL: fake.url, model: 'gpt-vision-test', timeoutMs: 5_000, maxImageBytes: 5 << 20 })
      const h = await suite.harness(undefined, { describer })
      fake.script({ json: answer({ kind: 'boleto', description: 'A utility bill.', line: boleto.lineDigits }) })
      const blurry = await received(h, picture('', 'no-code'))
      await h.analyse(blurry.messageId)
      expect((await messageRow(blurry.messageId)).analysis).toMatchObject({
        outcome: 'described', description: { kind: 'boleto', model: 'gpt-vision-test' }, findings: [{ kind: 'boleto', source: 'vision' }],
      })
      const wrong = boleto.lineDigits.slice(0, 3) + ((Number(boleto.lineDigits[3]) + 1) % 10) + boleto.lineDigits.slice(4)
      fake.script({ json: answer({ kind: 'boleto', description: 'A utility bill.', line: wrong }) })
      const misread = await received(h, picture('', 'no-code'))
      await h.analyse(misread.messageId)
      expect((await messageRow(misread.messageId)).analysis).toMatchObject({ outcome: 'described', findings: [] })
      expect(fake.requests).toHaveLength(2)

      const sharp = await received(h, picture('boleto', 'clean-png'))
      await h.analyse(sharp.messageId)
      expect(fake.requests).toHaveLength(2) // a code was read: the model was not asked
    } finally {
      await fake.close()
    }
  })

  it('retries a failed download, counting attempts in the database, and records the failure after the last one', async () => {
    const h = await suite.harness()
    h.onGraph((r) => (r.kind === 'media-lookup' ? graphError(500, 2, 'temporarily unavailable') : undefined))
    const accepted = await received(h, picture('boleto', 'clean-png'))
    await expect(h.analyse(accepted.messageId, { attempt: 1, maxAttempts: 2 })).rejects.toMatchObject({ retryable: true })
    expect(await messageRow(accepted.messageId)).toMatchObject({ processed_at: null, attempts: 1 })
    // The second try is the last: the picture is recorded as failed so the turn answers anyway.
    await h.analyse(accepted.messageId, { attempt: 1, maxAttempts: 2 })
    expect(await messageRow(accepted.messageId)).toMatchObject({ attempts: 2, analysis: { outcome: 'failed', findings: [] } })
    expect(h.dispatcher.turnWakeUps(accepted.conversationId)).toHaveLength(1)
    h.clock.advance(60_000)
    await h.turn(accepted.conversationId)
    expect(h.sends()).toHaveLength(1)
  })

  it('records nothing when the job is aborted (shutdown): the picture is read again later', async () => {
    const h = await suite.harness()
    const accepted = await received(h, picture('pix', 'clean-png'))
    await expect(h.analyse(accepted.messageId, { attempt: 4, maxAttempts: 4, signal: AbortSignal.abort(new Error('shutting down')) })).rejects.toBeDefined()
    expect(await messageRow(accepted.messageId)).toMatchObject({ processed_at: null, analysis: null })
    await h.analyse(accepted.messageId)
    expect((await messageRow(accepted.messageId)).analysis).toMatchObject({ outcome: 'read' })
  })

  it('gives up at once on a download that cannot succeed', async () => {
    const h = await suite.harness()
    h.onGraph((r) => (r.kind === 'media-lookup' ? graphError(404, 100, 'no such media') : undefined))
    const accepted = await received(h, picture('boleto', 'clean-png'))
    await h.analyse(accepted.messageId)
    expect(await messageRow(accepted.messageId)).toMatchObject({ attempts: 1, analysis: { outcome: 'failed' } })
  })

  it('records a picture over the reader\'s byte cap as failed at once, having downloaded about the cap only', async () => {
    const h = await suite.harness()
    h.onGraph((r) => (r.kind === 'media-download' ? { generated: { size: 64 * MiB, chunked: true } } : undefined))
    const accepted = await received(h, picture('boleto', 'clean-png'))
    // The first of four attempts: a refusal for size is final, not retried.
    await h.analyse(accepted.messageId, { attempt: 1, maxAttempts: 4 })
    expect(await messageRow(accepted.messageId)).toMatchObject({ attempts: 1, analysis: { outcome: 'failed', findings: [], error: 'ATD_MEDIA_TOO_LARGE' } })
    const download = h.graph.requests.find((r) => r.kind === 'media-download')!
    await download.settled
    // Socket buffers on loopback hold a few MB beyond what the client read.
    expect(download.responseBytes).toBeLessThan(h.deps.images.reader.maxImageBytes + 24 * MiB)
    expect(h.dispatcher.turnWakeUps(accepted.conversationId)).toHaveLength(1)
  })

  it('records a picture whose media URL points outside the allowed hosts as failed at once, sending it nothing', async () => {
    const h = await suite.harness()
    const elsewhere = h.graph.origin.replace('127.0.0.1', 'localhost')
    h.onGraph((r) => (r.kind === 'media-lookup' ? { body: { url: `${elsewhere}/media-download/x`, mime_type: 'image/png' } } : undefined))
    const accepted = await received(h, picture('pix', 'clean-png'))
    await h.analyse(accepted.messageId, { attempt: 1, maxAttempts: 4 })
    expect(await messageRow(accepted.messageId)).toMatchObject({ attempts: 1, analysis: { outcome: 'failed', error: 'ATD_MEDIA_URL_REFUSED' } })
    expect(h.graph.requests.filter((r) => r.kind === 'media-download')).toEqual([])
  })

  it('does nothing for a redelivered wake-up once the picture is analysed', async () => {
    const h = await suite.harness()
    const accepted = await received(h, picture('pix', 'clean-png'))
    await h.analyse(accepted.messageId)
    const downloads = h.graph.requests.filter((r) => r.kind === 'media-download').length
    await h.analyse(accepted.messageId)
    await h.process([accepted])
    expect(h.graph.requests.filter((r) => r.kind === 'media-download')).toHaveLength(downloads)
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'image-analysis')).toHaveLength(1)
    expect((await messageRow(accepted.messageId)).attempts).toBe(1)
  })
})
