import { DEFAULT_FINDING_TEXTS, type AiMessage, type AiReply } from '../ai/index.js'
import { describeImage, menuDepartments, splitReply, type ImageAnalysis, type InteractiveContent } from '../domain/index.js'
import { linkSignal } from '../lib/index.js'
import { prepareReply, type OutboxPart, type TurnMessage } from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import { handoffReplyText } from './handoff.js'
import type { Turn } from './turn-context.js'

/**
 * Asks for the turn's reply and stores its parts in the outbox, or returns the department
 * menu the AI chose to ask with instead.
 */
export type AskAi = (
  turn: Turn,
  seq: number,
  unanswered: TurnMessage[],
) => Promise<{ parts: OutboxPart[] } | { menu: InteractiveContent; department: string | undefined }>

export function createAskAi(deps: WorkerDeps): AskAi {
  const now = deps.now ?? (() => new Date())
  return askAi

  async function askAi(turn: Turn, seq: number, unanswered: TurnMessage[]): ReturnType<AskAi> {
    const { conversation: c } = turn
    const reply: Pick<AiReply, 'text' | 'department' | 'resolved' | 'handoff' | 'menu' | 'source'> = unanswered.every(isUnheardAudio)
      ? audioFallback()
      : await replyFromAi(turn, unanswered)
    if (reply.menu !== undefined) return { menu: reply.menu, department: reply.department }
    const parts = await prepareReply(deps.db, {
      conversationId: c.id,
      token: turn.token,
      seq,
      parts: splitReply(reply.handoff ? handoffReplyText(deps.handoff, reply.text, now()) : reply.text),
      meta: { department: reply.department, resolved: reply.resolved, handoff: reply.handoff, source: reply.source },
      now: now(),
    })
    return { parts }
  }

  /** Only voice notes nobody could transcribe: no provider can answer words it never got. */
  function audioFallback(): Pick<AiReply, 'text' | 'department' | 'resolved' | 'handoff' | 'source'> {
    if (deps.audioFallback === 'handoff') return { text: deps.messages.handoff, department: undefined, resolved: false, handoff: true, source: 'rule' }
    const text = deps.messages.audioUnheard ?? DEFAULT_FINDING_TEXTS[deps.images.language].audioUnheard
    return { text, department: undefined, resolved: false, handoff: false, source: 'rule' }
  }

  async function replyFromAi(turn: Turn, unanswered: TurnMessage[]): Promise<AiReply> {
    const { conversation: c } = turn
    const deadline = linkSignal([turn.signal], deps.aiTimeoutMs)
    return deps.ai.reply({
      conversationId: c.id,
      history: turn.history.map(toAiMessage),
      unanswered: unanswered.map(toAiMessage),
      currentDepartment: c.department ?? undefined,
      signal: deadline.signal,
    }).finally(deadline.release)
  }
}

function toAiMessage(m: TurnMessage): AiMessage {
  if (m.direction === 'out' && m.kind === 'menu' && m.content !== null) {
    return { direction: 'out', text: m.text ?? '', menu: menuDepartments(m.content as InteractiveContent) }
  }
  if (m.direction === 'in' && m.type === 'interactive') {
    const choice = (m.payload as { interactive?: { id?: unknown } } | null)?.interactive?.id
    return { direction: 'in', text: m.text ?? '', choice: typeof choice === 'string' ? choice : undefined }
  }
  if (m.type === 'image') {
    // The analysis is ours, written by image-analysis; an image from before it existed has none.
    const analysis = m.analysis as ImageAnalysis | null
    const image = describeImage(analysis)
    const caption = m.text !== null && m.text !== '' ? m.text : undefined
    return {
      direction: m.direction,
      text: caption !== undefined ? `${caption}\n${image}` : image,
      media: { type: 'image', caption, findings: analysis?.findings ?? [] },
    }
  }
  if (m.type === 'document' && m.analysis !== null) {
    // A PDF image-analysis read (only PDFs are analysed; other documents keep their caption).
    const analysis = m.analysis as ImageAnalysis
    const caption = m.text !== null && m.text !== '' ? m.text : undefined
    const pdf = describeImage(analysis, 'PDF')
    return { direction: m.direction, text: caption !== undefined ? `${caption}\n${pdf}` : pdf, media: { type: 'document', caption, findings: analysis.findings } }
  }
  // A transcribed voice note is the customer's text (image-analysis stored it as such).
  if (m.text !== null && m.text !== '') return { direction: m.direction, text: m.text }
  if (isUnheardAudio(m)) return { direction: m.direction, text: '[voice note: could not be transcribed]', media: { type: 'audio', findings: [] } }
  return { direction: m.direction, text: `[${m.type}]` }
}

function isUnheardAudio(m: TurnMessage): boolean {
  return m.direction === 'in' && m.type === 'audio' && (m.text === null || m.text === '')
}
