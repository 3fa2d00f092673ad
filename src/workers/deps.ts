import type { Logger } from 'pino'
import type { AiProvider, ImageDescriber, Language, Transcriber } from '../ai/index.js'
import type { Config } from '../config/index.js'
import type { CodeReader, PdfReader } from '../images/index.js'
import type { Dispatcher } from '../queues/index.js'
import type { DebounceSettings } from '../domain/index.js'
import type { Db } from '../store/index.js'
import type { WhatsAppClient } from '../whatsapp/index.js'
import type { HandoffSettings } from './handoff.js'

/** Customer-facing texts a worker sends on its own, from the knowledge base. */
export interface FixedMessages {
  /** Sent when every attempt of a turn failed: never silence (invariant 5). */
  apology: string
  handoff: string
  /** Sent for a turn of voice notes without a transcript (AUDIO_FALLBACK=ask). @defaultValue the language's default */
  audioUnheard?: string
}

/** What `image-analysis` reads pictures with. */
export interface ImageAnalysers {
  /** Offline: boleto barcodes and PIX QR codes, decoded in worker threads. */
  reader: CodeReader
  /** The vision model, asked only when no code was read; undefined when none is configured. */
  describer: ImageDescriber | undefined
  /** The language the customer is answered in (the knowledge base's). */
  language: Language
  /** PDF documents' text layer, in a worker thread; undefined: PDFs are not read. */
  pdf?: PdfReader | undefined
  /** Voice notes' transcription; undefined when TRANSCRIPTION_PROVIDER=off. */
  transcriber?: Transcriber | undefined
}

/** The knowledge base's survey texts (`messages.nps*`). */
export interface SurveyMessages {
  /** The 0–10 question, plain text, so any typed answer works. */
  nps: string
  /** Asked once when the score came in words only ("péssimo"): "me diga uma nota de 0 a 10". */
  npsScoreAgain: string
  /** Asked once after a score: "Qual o principal motivo da sua nota?" */
  npsReason: string
  /** After the reason (or its skip): the conversation closes. */
  npsThanks: string
  /** "parar": never surveyed again. */
  npsOptOut: string
}

/** What the operations work routes (an `alerts.raise` there); ids and figures only, never personal data. */
export interface LifecycleAlert {
  kind: 'nps_detractor'
  conversationId: number
  surveyId: number
  score: number
}

/** The conversation lifecycle's settings and hooks (issue #9, milestone B). */
export interface LifecycleDeps {
  /** NPS_ENABLED, NPS_DELAY_MS, NPS_RESPONSE_WINDOW_MS, NPS_MIN_INTERVAL_DAYS, NPS_TEMPLATE_*. */
  nps: Config['nps']
  /** CONVERSATION_IDLE_MS: the customer's silence after the bot's answer that resolves; 0: never. */
  idleMs: number
  messages: SurveyMessages
  /** A detractor's score, for the operations work to route. @defaultValue a log line (no personal data) */
  onAlert?: ((alert: LifecycleAlert) => void | Promise<void>) | undefined
  /** Milestone D's producer: a learning run on resolve and again on close. @defaultValue none */
  learning?: { enqueueLearning(conversationId: number): Promise<void> } | undefined
}

/** Told of outcomes worth counting (Prometheus); ids and outcomes only, never content. */
export interface WorkerObserver {
  /** A conversation was handed to a person. */
  handoff(): void
  imageAnalysed(outcome: 'read' | 'described' | 'transcribed' | 'nothing' | 'failed'): void
  /**
   * An NPS answer was recorded (the NPS work, issue #9, calls it): counted by category, and a
   * detractor raises the `nps_detractor` alert with the conversation id as subject.
   */
  npsResponse(category: 'promoter' | 'passive' | 'detractor', conversationId: number): void
}

export interface WorkerDeps {
  db: Db
  dispatcher: Dispatcher
  whatsapp: WhatsAppClient
  ai: AiProvider
  images: ImageAnalysers
  messages: FixedMessages
  debounce: DebounceSettings
  /** A turn of voice notes without a transcript: ask the customer to type, or hand off. @defaultValue 'ask' */
  audioFallback?: 'ask' | 'handoff'
  /** Longest one AI reply may take. */
  aiTimeoutMs: number
  /** Longest one Graph API call may take. */
  sendTimeoutMs: number
  log: Logger
  /**
   * Resolution, the NPS survey and the idle timer. Without it the turn still reopens a
   * resolved or closed conversation on a new message, but plans no survey and sets no timer.
   */
  lifecycle?: LifecycleDeps | undefined
  /** Business hours and the hand-off alert; undefined: always open, no alert. */
  handoff?: HandoffSettings | undefined
  /** @defaultValue counts nothing */
  observe?: WorkerObserver
  /** @defaultValue () => new Date() */
  now?: () => Date
}
