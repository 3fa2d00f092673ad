import type { Logger } from 'pino'
import type { AiProvider, ImageDescriber, Language } from '../ai/index.js'
import type { CodeReader } from '../images/index.js'
import type { Dispatcher } from '../queues/index.js'
import type { DebounceSettings } from '../domain/index.js'
import type { Db } from '../store/index.js'
import type { WhatsAppClient } from '../whatsapp/index.js'

/** Customer-facing texts a worker sends on its own, from the knowledge base. */
export interface FixedMessages {
  /** Sent when every attempt of a turn failed: never silence (invariant 5). */
  apology: string
  handoff: string
}

/** What `image-analysis` reads pictures with. */
export interface ImageAnalysers {
  /** Offline: boleto barcodes and PIX QR codes, decoded in worker threads. */
  reader: CodeReader
  /** The vision model, asked only when no code was read; undefined when none is configured. */
  describer: ImageDescriber | undefined
  /** The language the customer is answered in (the knowledge base's). */
  language: Language
}

/** Told of outcomes worth counting (Prometheus); ids and outcomes only, never content. */
export interface WorkerObserver {
  /** A conversation was handed to a person. */
  handoff(): void
  imageAnalysed(outcome: 'read' | 'described' | 'nothing' | 'failed'): void
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
  /** Longest one AI reply may take. */
  aiTimeoutMs: number
  /** Longest one Graph API call may take. */
  sendTimeoutMs: number
  log: Logger
  /** @defaultValue counts nothing */
  observe?: WorkerObserver
  /** @defaultValue () => new Date() */
  now?: () => Date
}
