import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createOpenAiTranscriber, DEFAULT_FINDING_TEXTS } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { loadConversationDetail, queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { conversationRow, sentText, useWorkerSuite, type Harness } from './harness.js'

/** Not a real OGG: the fake transcription server never decodes it, and our code never looks inside. */
const VOICE = { bytes: Buffer.from('OggS\u0000fictional opus voice note'), mimeType: 'audio/ogg; codecs=opus' }

describe.each(ENGINES)('voice notes (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  async function withTranscription(h: Harness, fake: FakeOpenAi, maxAudioBytes = 1024 * 1024): Promise<void> {
    h.deps.images.transcriber = createOpenAiTranscriber({ apiKey: secret('sk-test'), baseURL: fake.url, model: 'whisper-1', timeoutMs: 5_000, maxAudioBytes })
  }

  /** The voice note arrives, is analysed, and its turn runs; the text sent back. */
  async function answered(h: Harness): Promise<{ reply: string; messageId: number; conversationId: number }> {
    const accepted = await h.receiveAudio(VOICE)
    await h.process([accepted])
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'image-analysis')).toEqual([{ queue: 'image-analysis', messageId: accepted.messageId }])
    h.clock.advance(60_000)
    expect(await h.turn(accepted.conversationId)).toMatchObject({ reason: 'messages still processing' })
    await h.analyse(accepted.messageId)
    expect(await h.turn(accepted.conversationId)).toBeUndefined()
    const [send] = h.sends()
    return { reply: sentText(send!), messageId: accepted.messageId, conversationId: accepted.conversationId }
  }

  it('transcribes the voice note, stores the transcript as its text and answers it', async () => {
    const h = await suite.harness()
    const fake = await startFakeOpenAi()
    try {
      await withTranscription(h, fake)
      fake.scriptTranscripts({ text: ' preciso da segunda via do boleto ' })
      const { reply, messageId, conversationId } = await answered(h)
      const [request] = fake.requests
      expect(request).toMatchObject({ method: 'POST', path: '/v1/audio/transcriptions' })
      expect(request?.headers['content-type']).toMatch(/^multipart\/form-data/)
      expect(String(request?.body)).toContain('whisper-1')
      expect(String(request?.body)).toContain('fictional opus voice note')
      const [row] = await queryRows<{ type: string; text: string; analysis: unknown }>(suite.database.db, sql`select type, text, analysis from messages where id = ${messageId}`)
      expect(row).toMatchObject({ type: 'audio', text: 'preciso da segunda via do boleto', analysis: { outcome: 'transcribed', transcription: { model: 'whisper-1' } } })
      const segundaVia = suite.kb.faq.find((f) => f.question.startsWith('Como tirar a segunda via'))!.answer
      expect(reply).toBe(segundaVia)
      // What GET /api/conversations/:id shows: the transcript as text, the type still audio.
      const detail = await loadConversationDetail(suite.database.db, conversationId)
      expect(detail?.messages.find((m) => m.direction === 'in')).toMatchObject({ type: 'audio', text: 'preciso da segunda via do boleto' })
    } finally {
      await fake.close()
    }
  })

  it('asks the customer to type when transcription is off, downloading nothing', async () => {
    const h = await suite.harness()
    const { reply, conversationId } = await answered(h)
    expect(reply).toBe(DEFAULT_FINDING_TEXTS['pt-BR'].audioUnheard)
    expect(h.graph.requests.filter((r) => r.kind === 'media-download')).toEqual([])
    expect((await conversationRow(suite.database, conversationId)).status).toBe('open')
  })

  it('hands off instead with AUDIO_FALLBACK=handoff', async () => {
    const h = await suite.harness()
    h.deps.audioFallback = 'handoff'
    const { reply, conversationId } = await answered(h)
    expect(reply).toBe(suite.kb.messages.handoff)
    expect((await conversationRow(suite.database, conversationId)).status).toBe('handoff')
  })

  it('does not transcribe a voice note over AUDIO_MAX_BYTES, and asks for text', async () => {
    const h = await suite.harness()
    const fake = await startFakeOpenAi()
    try {
      await withTranscription(h, fake, 8)
      const { reply, messageId } = await answered(h)
      expect(fake.requests).toEqual([])
      expect(reply).toBe(DEFAULT_FINDING_TEXTS['pt-BR'].audioUnheard)
      const [row] = await queryRows<{ analysis: unknown }>(suite.database.db, sql`select analysis from messages where id = ${messageId}`)
      expect(row?.analysis).toMatchObject({ outcome: 'failed', error: 'ATD_MEDIA_TOO_LARGE' })
    } finally {
      await fake.close()
    }
  })
})
