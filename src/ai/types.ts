/** The AI port: one call per turn. Providers: `local` (offline, knowledge base) and `openai`. */
import type { ReplySource } from '../domain/index.js'

export type { ReplySource }

export type Language = 'pt-BR' | 'en'

import type { ImageFinding, InteractiveContent } from '../domain/index.js'

export interface AiMessage {
  direction: 'in' | 'out'
  /** Inbound: the customer's text, or a short description of a non-text message. */
  text: string
  /** A picture or document the customer sent, and what was read from it. */
  media?: AiMedia
  /** Inbound: the id of a tapped reply button or list row. */
  choice?: string | undefined
  /** Outbound: the department menu this message was, its department ids in the order shown. */
  menu?: string[] | undefined
}

export interface AiMedia {
  /** An `audio` here is a voice note that could not be transcribed (a transcript is plain text). */
  type: 'image' | 'document' | 'audio'
  /** The customer's caption, if any. */
  caption?: string | undefined
  /** Boletos and Pix codes whose checks passed; [] when none could be read. */
  findings: ImageFinding[]
}

export interface AiTurnInput {
  conversationId: number
  /** Earlier messages of the conversation, oldest first (already answered). */
  history: AiMessage[]
  /** The inbound messages this turn answers, in `seq` order. */
  unanswered: AiMessage[]
  /** Department the conversation was routed to before, if any. */
  currentDepartment: string | undefined
  signal?: AbortSignal | undefined
}

export interface AiReply {
  /** Department id from the knowledge base, or undefined when it could not be told. */
  department: string | undefined
  /** Customer-facing text, in the knowledge base's language. */
  text: string
  /** The customer's need looks met: the conversation may close and get an NPS survey. */
  resolved: boolean
  /** A person should take over. */
  handoff: boolean
  /** 0..1: how sure the provider is of the department and answer. */
  confidence: number
  /** Where the text came from; `fallback` marks a question the bot could not answer (learning). */
  source: ReplySource
  /** Ask instead of guessing: send this department menu (kind `menu`) in place of `text`. */
  menu?: InteractiveContent | undefined
}

export interface AiProvider {
  readonly name: 'local' | 'openai'
  reply(input: AiTurnInput): Promise<AiReply>
}
