import { z } from 'zod'
import { ms, optionalString, url } from './env-fields.js'

/** The AI provider, and what reads pictures, voice notes and documents for it. */
export const aiEnv = {
  /** `local` (offline, knowledge base) or `openai` (any compatible server). @defaultValue 'local' */
  AI_PROVIDER: z.enum(['local', 'openai']).default('local'),
  OPENAI_API_KEY: optionalString,
  /** Base URL of an OpenAI-compatible server. @defaultValue the SDK's (api.openai.com) */
  OPENAI_BASE_URL: url(['http:', 'https:']),
  /** @defaultValue 'gpt-4o-mini' */
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Longest one AI completion may take. @defaultValue 20_000 */
  AI_TIMEOUT_MS: ms(20_000).pipe(z.number().min(1)),
  /** Model that describes a picture when the barcode reader found no code in it (needs image input). @defaultValue 'gpt-4o-mini' */
  OPENAI_VISION_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /**
   * `on`: a picture in which no boleto or PIX code was read is described by OPENAI_VISION_MODEL;
   * `off`: pictures never leave the process. `on` needs AI_PROVIDER=openai.
   * @defaultValue 'on' when AI_PROVIDER=openai, else 'off'
   */
  IMAGE_VISION_FALLBACK: optionalString.pipe(z.enum(['on', 'off']).optional()),
  /**
   * Largest picture, in bytes: its download stops there (Content-Length first, then counting
   * while it streams), and the code reader and the image describer refuse larger ones
   * unread. @defaultValue 5_242_880 (5 MiB, WhatsApp's image limit)
   */
  IMAGE_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** Worker threads decoding boleto barcodes and PIX QR codes (zxing); the event loop never decodes. @defaultValue 1 */
  IMAGE_READER_THREADS: z.coerce.number().int().min(1).max(32).default(1),
  /**
   * `openai`: voice notes are transcribed by an OpenAI-compatible `/audio/transcriptions`
   * endpoint (also with AI_PROVIDER=local); `off`: audio is never sent anywhere.
   * @defaultValue 'openai' when AI_PROVIDER=openai, else 'off'
   */
  TRANSCRIPTION_PROVIDER: optionalString.pipe(z.enum(['off', 'openai']).optional()),
  /** Base URL of the transcription server (many chat servers have none). @defaultValue OPENAI_BASE_URL */
  TRANSCRIPTION_BASE_URL: url(['http:', 'https:']),
  /** @defaultValue OPENAI_API_KEY */
  TRANSCRIPTION_API_KEY: optionalString,
  /** @defaultValue 'whisper-1' */
  TRANSCRIPTION_MODEL: z.string().min(1).default('whisper-1'),
  /**
   * Largest voice note, in bytes: its download stops there and it is not transcribed.
   * @defaultValue 16_777_216 (16 MiB, WhatsApp's audio limit)
   */
  AUDIO_MAX_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
  /** Without a transcript: `ask` the customer to type, or `handoff` to a person. @defaultValue 'ask' */
  AUDIO_FALLBACK: z.enum(['ask', 'handoff']).default('ask'),
  /** Largest PDF document read, in bytes: its download stops there. @defaultValue 5_242_880 (5 MiB) */
  DOCUMENT_MAX_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** Pages of a PDF read, from the first (a boleto sits on page 1 or 2): their text, and their barcodes when the text holds no code. @defaultValue 3 */
  PDF_MAX_PAGES: z.coerce.number().int().min(1).max(50).default(3),
  /** Longest one PDF may take to read, rendering included, in its worker thread. @defaultValue 10_000 */
  PDF_TIMEOUT_MS: ms(10_000).pipe(z.number().min(1)),
  /** Knowledge base (YAML or JSON). @defaultValue 'knowledge-base/sample.pt-BR.yaml' */
  KNOWLEDGE_BASE: z.string().min(1).default('knowledge-base/sample.pt-BR.yaml'),
}
