import type { AiMessage, AiTurnInput } from '../../src/ai/types.js'

/** A turn answering `texts` (one inbound message each), with optional history and department. */
export function turn(texts: string | string[], extra: Partial<AiTurnInput> = {}): AiTurnInput {
  const unanswered: AiMessage[] = (Array.isArray(texts) ? texts : [texts]).map((text) => ({ direction: 'in', text }))
  return { conversationId: 1, history: [], unanswered, currentDepartment: undefined, ...extra }
}
