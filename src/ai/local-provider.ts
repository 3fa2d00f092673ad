import { AiProviderError } from '../errors.js'
import { createConversationCues } from './conversation-cues.js'
import type { KnowledgeBase } from './knowledge-base.js'
import { createAnalyzer, foldText } from './text-analysis.js'
import { createDepartmentIndex, createFaqIndex, type DepartmentScore, type FaqMatch } from './text-index.js'
import type { AiProvider, AiReply, AiTurnInput, Language } from './types.js'

/**
 * Thresholds tuned on knowledge-base/sample.pt-BR.yaml against test/ai/routing-cases.ts.
 * Department scores are 0..1 (see createDepartmentIndex); FAQ scores are raw BM25.
 */
export const LOCAL_TUNING = {
  /** The best department needs at least this score... */
  minDepartmentScore: 0.6,
  /** ...and must beat the runner-up by this factor. */
  minDepartmentMargin: 1.15,
  /** The best FAQ entry is answered only from this BM25 score (question matches weigh 3x). */
  minFaqScore: 10,
  /** FAQ entries of the routed department count this much more. */
  routedFaqBoost: 2,
  /** Confidence of rule-based replies (greeting, closing, hand-off request). */
  ruleConfidence: 0.9,
} as const

/**
 * Longest text analysed per turn; a longer burst keeps its end (the latest messages).
 * Lexical search cost grows with the query's length, and no real question needs more.
 */
const MAX_ANALYSED_CHARS = 16_000

const DEFAULT_CLOSING: Record<Language, string> = {
  'pt-BR': 'Por nada! Se precisar de mais alguma coisa, é só chamar por aqui. 😊',
  en: 'You are welcome! If you need anything else, just message us here. 😊',
}

interface Routing {
  department: string | undefined
  /** 0..1; 0 when no department was told apart. */
  confidence: number
}

/**
 * The offline provider: answers from the knowledge base with lexical retrieval, no network
 * and no randomness. It treats every unanswered message of the turn as one text (a burst).
 * Expects a knowledge base validated by `parseKnowledgeBase`/`loadKnowledgeBase`.
 */
export function createLocalProvider(kb: KnowledgeBase): AiProvider {
  const language = kb.business.language
  const analyzer = createAnalyzer(language)
  const faq = createFaqIndex(kb, analyzer)
  const departments = createDepartmentIndex(kb, analyzer)
  const cues = createConversationCues(language)
  const closingText = kb.messages.closing ?? DEFAULT_CLOSING[language]

  function route(text: string, current: string | undefined): Routing {
    const [best, second] = departments.rank(text)
    if (best !== undefined && isClear(best, second)) {
      const margin = second === undefined ? 1 : 1 - second.score / best.score
      return { department: best.department, confidence: best.score * (0.5 + 0.5 * margin) * (0.5 + 0.5 * best.coverage) }
    }
    return { department: current, confidence: 0 }
  }

  function bestFaq(text: string, department: string | undefined): FaqMatch | undefined {
    const boost = (m: FaqMatch) => (m.department === department ? m.score * LOCAL_TUNING.routedFaqBoost : m.score)
    const [best] = faq
      .search(text, 5)
      .map((m) => ({ ...m, score: boost(m) }))
      .sort((a, b) => b.score - a.score)
    return best !== undefined && best.score >= LOCAL_TUNING.minFaqScore ? best : undefined
  }

  function reply(input: AiTurnInput): AiReply {
    const text = input.unanswered
      .map((m) => m.text)
      .join('\n')
      .slice(-MAX_ANALYSED_CHARS)
    const words = analyzer.words(text)
    const folded = foldText(text)
    const rule = (reply: string, department: string | undefined, extra: Partial<AiReply> = {}): AiReply => ({
      department,
      text: reply,
      resolved: false,
      handoff: false,
      confidence: LOCAL_TUNING.ruleConfidence,
      source: 'rule',
      ...extra,
    })

    if (cues.isHandoffRequest(words, folded)) {
      return rule(kb.messages.handoff, route(text, input.currentDepartment).department, { handoff: true })
    }
    if (words.length > 0 && cues.isClosing(words, folded)) {
      return rule(closingText, input.currentDepartment, { resolved: true })
    }
    if (cues.isGreeting(words)) return rule(kb.messages.greeting, input.currentDepartment)

    const routing = route(text, input.currentDepartment)
    const match = bestFaq(text, routing.department)
    if (match !== undefined) {
      const faqConfidence = Math.min(1, match.score / (4 * LOCAL_TUNING.minFaqScore)) * (0.5 + 0.5 * match.coverage)
      return {
        department: routing.department ?? match.department,
        text: match.answer,
        resolved: false,
        handoff: false,
        confidence: round(0.5 * routing.confidence + 0.5 * faqConfidence),
        source: 'knowledge-base',
      }
    }
    // Not understood twice in a row: stop looping the customer and bring in a person.
    const lastOut = input.history.findLast((m) => m.direction === 'out')
    if (lastOut?.text === kb.messages.fallback) {
      return rule(kb.messages.handoff, routing.department, { handoff: true, confidence: round(routing.confidence * 0.3), source: 'fallback' })
    }
    return rule(kb.messages.fallback, routing.department, { confidence: round(routing.confidence * 0.3), source: 'fallback' })
  }

  return {
    name: 'local',
    async reply(input) {
      if (input.signal?.aborted) {
        throw new AiProviderError('local AI reply was aborted before it started', { cause: input.signal.reason })
      }
      return reply(input)
    },
  }
}

function isClear(best: DepartmentScore, second: DepartmentScore | undefined): boolean {
  if (best.score < LOCAL_TUNING.minDepartmentScore) return false
  return second === undefined || best.score >= second.score * LOCAL_TUNING.minDepartmentMargin
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000
}
