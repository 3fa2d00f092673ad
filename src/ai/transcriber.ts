import { toFile } from 'openai'
import type { Secret } from '../config/index.js'
import { AiProviderError } from '../errors.js'
import { createOpenAiClient, toProviderError } from './openai-client.js'
import type { Language } from './types.js'

/** The transcription port: a voice note's words, as the customer's text. */
export interface Transcriber {
  readonly name: 'openai'
  /** Largest audio accepted, in bytes (AUDIO_MAX_BYTES); the download stops there. */
  readonly maxAudioBytes: number
  transcribe(input: TranscribeInput): Promise<Transcript>
}

export interface TranscribeInput {
  audio: Uint8Array
  /** As WhatsApp gives it, e.g. `audio/ogg; codecs=opus`. */
  mimeType: string
  language: Language
  signal?: AbortSignal | undefined
}

export interface Transcript {
  /** Trimmed; '' when the server heard no words. */
  text: string
  model: string
}

export interface OpenAiTranscriberOptions {
  apiKey: Secret
  /** Any server with OpenAI's `/audio/transcriptions`. @defaultValue the SDK's (api.openai.com) */
  baseURL?: string | undefined
  /** @defaultValue 'whisper-1' in the configuration */
  model: string
  timeoutMs: number
  maxAudioBytes: number
}

/** File names the endpoint infers the format from; WhatsApp voice notes are OGG/Opus. */
const EXTENSIONS: Record<string, string> = {
  'audio/ogg': 'ogg', 'audio/opus': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp4': 'm4a', 'audio/aac': 'm4a', 'audio/amr': 'amr', 'audio/wav': 'wav', 'audio/webm': 'webm',
}

/** ISO-639-1, as the endpoint's `language` hint expects. */
const LANGUAGE_HINTS: Record<Language, string> = { 'pt-BR': 'pt', en: 'en' }

export function createOpenAiTranscriber(options: OpenAiTranscriberOptions): Transcriber {
  // An upload is multipart: the light fetch sends JSON only, and a voice note is rare enough.
  const client = createOpenAiClient({ ...options, multipart: true })
  return {
    name: 'openai',
    maxAudioBytes: options.maxAudioBytes,
    async transcribe(input) {
      const bytes = input.audio.byteLength
      if (bytes === 0) throw new AiProviderError('audio is empty; expected the bytes of a voice note', { retryable: false })
      if (bytes > options.maxAudioBytes) {
        throw new AiProviderError(`audio is ${bytes} bytes; expected at most ${options.maxAudioBytes} (AUDIO_MAX_BYTES)`, { retryable: false })
      }
      const mimeType = input.mimeType.split(';')[0]!.trim().toLowerCase()
      const file = await toFile(Buffer.from(input.audio), `voice.${EXTENSIONS[mimeType] ?? 'ogg'}`, { type: mimeType })
      try {
        const answer = await client.audio.transcriptions.create(
          { file, model: options.model, language: LANGUAGE_HINTS[input.language], response_format: 'json' },
          { signal: input.signal },
        )
        return { text: answer.text.trim(), model: options.model }
      } catch (err) {
        throw toProviderError(err, options.timeoutMs)
      }
    },
  }
}
