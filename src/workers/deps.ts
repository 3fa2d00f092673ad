import type { Logger } from 'pino'
import type { AiProvider } from '../ai/index.js'
import type { Dispatcher } from '../dispatch/port.js'
import type { DebounceSettings } from '../domain/index.js'
import type { Db } from '../store/index.js'
import type { WhatsAppClient } from '../whatsapp/index.js'

/** Customer-facing texts a worker sends on its own, from the knowledge base. */
export interface FixedMessages {
  /** Sent when every attempt of a turn failed: never silence (invariant 5). */
  apology: string
  handoff: string
}

export interface WorkerDeps {
  db: Db
  dispatcher: Dispatcher
  whatsapp: WhatsAppClient
  ai: AiProvider
  messages: FixedMessages
  debounce: DebounceSettings
  /** Longest one AI reply may take. */
  aiTimeoutMs: number
  /** Longest one Graph API call may take. */
  sendTimeoutMs: number
  log: Logger
  /** @defaultValue () => new Date() */
  now?: () => Date
}
