/**
 * What a finished conversation teaches (issue #9, milestone D): which bot replies came from
 * the knowledge base and which fell back, why a person took over, and which questions the
 * bot could not answer, with the person's answer when one followed. Pure: the learning
 * worker reads the rows and stores what this returns.
 */

/**
 * Where a bot reply came from: an entry of the knowledge base, the honest "I did not
 * understand" (`fallback`), a fixed rule text (greeting, closing, hand-off, apology), or a
 * model's own words (`ai`, the openai provider when it did not say it fell back).
 */
export const REPLY_SOURCES = ['knowledge-base', 'fallback', 'ai', 'rule'] as const
export type ReplySource = (typeof REPLY_SOURCES)[number]

/** One message of a conversation as the learning analysis reads it, in conversation order. */
export interface LearningMessage {
  id: number
  direction: 'in' | 'out'
  /** Outbound only: who spoke (`reply` is the bot; `agent` a person). */
  kind: 'reply' | 'agent' | 'survey' | 'menu' | 'template' | undefined
  seq: number
  text: string | null
  /** Bot replies: where the reply came from; undefined for rows written before it was recorded. */
  source: ReplySource | undefined
  /** Bot replies: the reply handed the conversation to a person. */
  handoff: boolean
  /** Bot replies: the last-attempt apology. */
  apology: boolean
}

export type HandoffReason = 'customer-request' | 'not-understood' | 'turn-failed' | 'agent-took-over' | 'outside-reply-window'

export interface FallbackQuestion {
  /** The last inbound message of the question: the proposal's stable source. */
  messageId: number
  /** The customer's messages the fallback answered, joined. */
  question: string
  /** What a person answered next, when one did. */
  answer: string | undefined
}

export interface ConversationLessons {
  /** One entry per bot reply (its first part), in order. */
  replies: Array<{ seq: number; source: ReplySource | null }>
  fallbacks: FallbackQuestion[]
  handoffReason: HandoffReason | null
}

/**
 * Reads a conversation's messages, ordered (seq, inbound before outbound, then as written).
 * A question is the inbound text a fallback reply answered (seq after the previous bot
 * reply's, up to the fallback's). A person's answer is the first run of agent messages after
 * the fallback; it answers the latest unanswered fallback before it, so "não entendi" →
 * "quero um atendente" → agent pairs the agent with the question, not with the request. A
 * bot answer in between (neither fallback nor hand-off) means the customer moved on.
 */
export function readLessons(messages: readonly LearningMessage[], status: string): ConversationLessons {
  const replies: ConversationLessons['replies'] = []
  const fallbacks: FallbackQuestion[] = []
  let handoffReason: HandoffReason | null = null
  let pendingIn: LearningMessage[] = []
  let lastReplySeq = -1
  let waiting: FallbackQuestion | undefined
  let agentRun: string[] | undefined

  const closeAgentRun = () => {
    if (agentRun !== undefined && waiting !== undefined) waiting.answer = agentRun.join('\n')
    if (agentRun !== undefined) waiting = undefined
    agentRun = undefined
  }

  for (const m of messages) {
    if (m.direction === 'in') {
      closeAgentRun()
      pendingIn.push(m)
      continue
    }
    if (m.kind === 'agent') {
      handoffReason ??= 'agent-took-over'
      const text = m.text?.trim()
      if (text) (agentRun ??= []).push(text)
      continue
    }
    // A reply, or the department menu (the store gives it the `fallback` source).
    if (m.kind !== 'reply' && m.kind !== 'menu' && m.kind !== undefined) continue
    closeAgentRun()
    if (m.seq === lastReplySeq) continue // a later part of the same reply
    lastReplySeq = m.seq
    replies.push({ seq: m.seq, source: m.source ?? null })
    const asked = pendingIn.filter((i) => i.seq <= m.seq)
    pendingIn = pendingIn.filter((i) => i.seq > m.seq)
    if (m.handoff && handoffReason === null) {
      handoffReason = m.apology ? 'turn-failed' : m.source === 'fallback' ? 'not-understood' : 'customer-request'
    }
    // Answered by the bot, the customer moved on: a later agent message answers something else.
    if (m.source !== 'fallback' && !m.handoff) waiting = undefined
    const question = asked.map((i) => i.text?.trim() ?? '').filter((t) => t !== '').join('\n')
    if (m.source === 'fallback' && question !== '') {
      waiting = { messageId: asked.at(-1)!.id, question, answer: undefined }
      fallbacks.push(waiting)
    }
  }
  closeAgentRun()
  if (handoffReason === null && status === 'handoff') handoffReason = 'outside-reply-window'
  return { replies, fallbacks, handoffReason }
}

/** Jaccard similarity of two term lists (as sets): 1 when equal, 0 when disjoint or empty. */
export function termSimilarity(a: readonly string[], b: readonly string[]): number {
  const x = new Set(a)
  const y = new Set(b)
  if (x.size === 0 || y.size === 0) return 0
  let shared = 0
  for (const t of x) if (y.has(t)) shared++
  return shared / (x.size + y.size - shared)
}

/** Unanswered questions this similar (or more) count as one group. */
export const SIMILAR_QUESTION_THRESHOLD = 0.5

/** The key of a group of unanswered questions: its terms, sorted and deduplicated. */
export function questionGroupKey(terms: readonly string[]): string {
  return [...new Set(terms)].sort().join(' ')
}
