import { buildDepartmentMenu, departmentOfChoice, findTypedCodes, type CodeRefusal, type ImageFinding } from '../domain/index.js'
import { AiProviderError } from '../errors.js'
import { createConversationCues } from './conversation-cues.js'
import { createFindingReplies } from './finding-replies.js'
import { DEFAULT_FINDING_TEXTS, FINDING_TEXT_KEYS, type FindingTexts } from './finding-texts.js'
import { renderMessage, type KnowledgeBase } from './knowledge-base.js'
import { createAnalyzer, foldText, type Analyzer } from './text-analysis.js'
import { createDepartmentRouter, type DepartmentScore } from './department-router.js'
import { createFaqIndex, type FaqMatch } from './text-index.js'
import type { AiMessage, AiProvider, AiReply, AiTurnInput, Language } from './types.js'

/**
 * Thresholds calibrated on the tuning routing sets only (test/fixtures/routing, decision 0021).
 * Department scores are posteriors (see createDepartmentRouter); FAQ scores are raw BM25.
 */
export const LOCAL_TUNING = {
  /** The best department needs at least this probability (the router's posterior)... */
  minDepartmentScore: 0.8,
  /** ...and this many times the runner-up's. */
  minDepartmentMargin: 2,
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

/** An "ok" after an answer: no "não entendi", and the door left open. */
const DEFAULT_ACKNOWLEDGEMENT: Record<Language, string> = {
  'pt-BR': 'Combinado! Se precisar de mais alguma coisa, é só me dizer.',
  en: 'All right! If you need anything else, just tell me.',
}

/** A goodbye with no thanks gets no "you're welcome". */
const DEFAULT_FAREWELL: Record<Language, string> = {
  'pt-BR': 'Até mais! Se precisar de alguma coisa, é só chamar por aqui. 😊',
  en: 'Bye for now! If you need anything, just message us here. 😊',
}

/**
 * A customer writing in another language than the base's: the base cannot answer them, a
 * person may. Both languages, as the customer may read only the other one.
 */
const DEFAULT_OTHER_LANGUAGE: Record<Language, string> = {
  'pt-BR':
    'Sorry, I can only reply in Portuguese here. I am bringing in someone from our team to help you.\n\n' +
    'Desculpe, por aqui eu só consigo responder em português. Vou chamar uma pessoa da nossa equipe para te ajudar.',
  en:
    'Desculpe, por aqui eu só consigo responder em inglês. Vou chamar uma pessoa da nossa equipe para te ajudar.\n\n' +
    'Sorry, I can only reply in English here. I am bringing in someone from our team to help you.',
}

export interface LocalProviderOptions {
  /** IANA zone of the business: the day a boleto's due date is compared with. @defaultValue 'America/Sao_Paulo' */
  timeZone?: string
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/** Words that put a payment code's turn in the department that handles payments. */
const PAYMENT_CUES: Record<Language, string> = {
  'pt-BR': 'boleto pix pagamento pagar fatura',
  en: 'boleto pix payment pay bill invoice',
}

/** What the customer sent this turn, beyond words: codes read from pictures or typed. */
interface Sent {
  findings: ImageFinding[]
  refused: CodeRefusal[]
  /** A picture or PDF came in and no boleto or Pix code could be read from it. */
  unreadable: 'image' | 'document' | undefined
  /** The customer's words, codes cut out. */
  text: string
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
export function createLocalProvider(kb: KnowledgeBase, options: LocalProviderOptions = {}): AiProvider {
  const language = kb.business.language
  const timeZone = options.timeZone ?? 'America/Sao_Paulo'
  const now = options.now ?? (() => new Date())
  const analyzer = createAnalyzer(language)
  const faq = createFaqIndex(kb, analyzer)
  const departments = createDepartmentRouter(kb, analyzer)
  const cues = createConversationCues(language)
  const closingText = kb.messages.closing ?? DEFAULT_CLOSING[language]
  const farewellText = kb.messages.farewell ?? DEFAULT_FAREWELL[language]
  const vocabulary = knowledgeBaseTerms(kb, analyzer)
  const known = (word: string) => {
    const term = analyzer.term(word)
    return term !== null && vocabulary.has(term)
  }
  const texts = Object.fromEntries(
    FINDING_TEXT_KEYS.map((k) => [k, kb.messages[k] ?? DEFAULT_FINDING_TEXTS[language][k]]),
  ) as unknown as FindingTexts
  const findingReplies = createFindingReplies(language, texts)
  const paymentDepartment = (() => {
    const [best, second] = departments.rank(PAYMENT_CUES[language])
    return best !== undefined && isClear(best, second) ? best.department : undefined
  })()

  function route(text: string, current: string | undefined): Routing {
    const [best, second] = departments.rank(text)
    if (best !== undefined && isClear(best, second)) {
      const margin = second === undefined ? 1 : 1 - second.score / best.score
      return { department: best.department, confidence: Math.min(1, best.score) * (0.5 + 0.5 * margin) }
    }
    return { department: current, confidence: 0 }
  }

  function bestFaq(text: string, department: string | undefined | ReadonlySet<string>, only?: string): FaqMatch | undefined {
    const favoured = (d: string) => (typeof department === 'object' ? department.has(d) : d === department)
    const boost = (m: FaqMatch) => (favoured(m.department) ? m.score * LOCAL_TUNING.routedFaqBoost : m.score)
    const [best] = faq
      .search(text, only === undefined ? 5 : 50)
      .filter((m) => only === undefined || m.department === only)
      .map((m) => ({ ...m, score: boost(m) }))
      .sort((a, b) => b.score - a.score)
    return best !== undefined && best.score >= LOCAL_TUNING.minFaqScore ? best : undefined
  }

  /**
   * The router's close contenders when it would not choose (the best, and those within its
   * margin): their FAQ entries get the routed boost, as one of them is likely the department.
   */
  function contenders(text: string): ReadonlySet<string> {
    const ranked = departments.rank(text)
    const best = ranked[0]
    if (best === undefined || best.score < LOCAL_TUNING.minDepartmentScore) return new Set()
    return new Set(ranked.filter((s) => s.score * LOCAL_TUNING.minDepartmentMargin >= best.score).map((s) => s.department))
  }

  /** Every code of the turn, typed or read from its pictures, and the words around them. */
  function whatWasSent(unanswered: AiMessage[], today: string): Sent {
    const sent: Sent = { findings: [], refused: [], unreadable: undefined, text: '' }
    const seen = new Set<string>()
    const words: string[] = []
    for (const m of unanswered) {
      // A voice note nobody could hear has no words to read; the turn worker asks for text when
      // nothing else came with it.
      if (m.media?.type === 'audio') continue
      const typed = findTypedCodes(m.media === undefined ? m.text : (m.media.caption ?? ''), today)
      const media = m.media?.findings.filter((f) => f.kind !== 'code') ?? []
      if (m.media !== undefined && media.length === 0) sent.unreadable = m.media.type
      for (const f of [...media, ...typed.findings]) {
        const key = f.kind === 'boleto' ? f.boleto.barcode : JSON.stringify(f)
        if (seen.has(key)) continue
        seen.add(key)
        sent.findings.push(f)
      }
      sent.refused.push(...typed.refused)
      words.push(typed.rest)
    }
    sent.text = words.join('\n').slice(-MAX_ANALYSED_CHARS)
    return sent
  }

  /** The reply about what was sent: each code's figures, each refused code's reason. */
  function answerSent(sent: Sent, today: string, routing: Routing): AiReply {
    const parts = [
      ...sent.findings.flatMap((f) => findingReplies.finding(f, today) ?? []),
      ...sent.refused.map((r) => findingReplies.refusal(r)),
    ]
    if (parts.length === 0) parts.push(sent.unreadable === 'document' ? texts.unreadableDocument : texts.unreadableImage)
    return {
      department: routing.confidence > 0 ? routing.department : (paymentDepartment ?? routing.department),
      text: parts.join('\n\n'),
      resolved: false,
      handoff: false,
      confidence: LOCAL_TUNING.ruleConfidence,
      // Read from what the customer sent by our own parsers: neither the base nor a fallback.
      source: 'rule',
    }
  }

  /** The department menu: scored departments best first, then the rest in the base's order. */
  function menuReply(text: string, confidence: number): AiReply {
    const scored = departments.rank(text).map((s) => s.department)
    const order = [...scored, ...kb.departments.map((d) => d.id).filter((id) => !scored.includes(id))]
    const byId = new Map(kb.departments.map((d) => [d.id, d]))
    const menu = buildDepartmentMenu(order.map((id) => byId.get(id)!), { body: kb.messages.menuBody, button: kb.messages.menuButton })
    return { department: undefined, text: menu.body, resolved: false, handoff: false, confidence: round(confidence), menu, source: 'rule' }
  }

  /**
   * The department picked from the menu the bot just sent: a tap (its id), a typed number
   * ("2") or a typed department name or id ("financeiro"). Undefined when the last message
   * sent was not a menu or the answer names none of its departments.
   */
  function chosenFromMenu(input: AiTurnInput): string | undefined {
    const menu = input.history.findLast((m) => m.direction === 'out')?.menu
    if (menu === undefined || menu.length === 0) return undefined
    for (const m of input.unanswered) {
      const tapped = departmentOfChoice(m.choice)
      if (tapped !== undefined && kb.departments.some((d) => d.id === tapped)) return tapped
      const typed = foldText(m.text).replace(/[^a-z0-9 ]+/g, ' ').trim()
      if (/^\d{1,2}$/.test(typed)) {
        const picked = menu[Number(typed) - 1]
        if (picked !== undefined) return picked
        continue
      }
      const named = kb.departments.find((d) => menu.includes(d.id) && (typed === foldText(d.name).replace(/[^a-z0-9 ]+/g, ' ').trim() || typed === foldText(d.id)))
      if (named !== undefined) return named.id
    }
    return undefined
  }

  /** What the customer asked before the menu: their messages between the last reply and the menu. */
  function questionBeforeMenu(history: AiMessage[]): string {
    const menuAt = history.findLastIndex((m) => m.direction === 'out')
    const asked: string[] = []
    for (let i = menuAt - 1; i >= 0 && history[i]!.direction === 'in'; i--) asked.unshift(history[i]!.text)
    return asked.join('\n').slice(-MAX_ANALYSED_CHARS)
  }

  /** The turn that picks a department from the menu answers the question asked before it. */
  function answerChosen(department: string, input: AiTurnInput): AiReply {
    const question = questionBeforeMenu(input.history)
    const name = kb.departments.find((d) => d.id === department)?.name ?? department
    // Only the picked department's entries may answer it, with the routed boost.
    const match = question === '' ? undefined : bestFaq(question, department, department)
    return {
      department,
      text: match?.answer ?? renderMessage(kb.messages.menuChosen, { department: name }),
      resolved: false,
      handoff: false,
      confidence: LOCAL_TUNING.ruleConfidence,
      source: match === undefined ? 'rule' : 'knowledge-base',
    }
  }

  function reply(input: AiTurnInput): AiReply {
    const today = dayIn(timeZone, now())
    const sent = whatWasSent(input.unanswered, today)
    const text = sent.text
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
    if (sent.findings.length > 0 || sent.refused.length > 0 || sent.unreadable !== undefined) {
      return answerSent(sent, today, route(text, input.currentDepartment))
    }
    if (cues.isOtherLanguage(words)) {
      return rule(kb.messages.otherLanguage ?? DEFAULT_OTHER_LANGUAGE[language], input.currentDepartment, { handoff: true, confidence: 0, source: 'fallback' })
    }
    const chosen = chosenFromMenu(input)
    if (chosen !== undefined) return answerChosen(chosen, input)
    if (words.length > 0 && cues.isClosing(words, folded, known)) {
      return rule(cues.isThanks(words) ? closingText : farewellText, input.currentDepartment, { resolved: true })
    }
    const lastOut = input.history.findLast((m) => m.direction === 'out')
    // "ok" (or "tá bom", which the greeting check would take) after an answer: acknowledged, not
    // misunderstood. Not after a question the bot asked ("Quer que eu verifique…?": "ok" is a yes
    // it cannot act on), a menu, the greeting or a fallback.
    if (
      cues.isAcknowledgement(words) && lastOut !== undefined && lastOut.menu === undefined && !/\?\s*$/.test(lastOut.text) &&
      lastOut.text !== kb.messages.greeting && lastOut.text !== kb.messages.fallback
    ) {
      return rule(kb.messages.acknowledgement ?? DEFAULT_ACKNOWLEDGEMENT[language], input.currentDepartment)
    }
    if (cues.isGreeting(words)) return rule(kb.messages.greeting, input.currentDepartment)

    const routing = route(text, input.currentDepartment)
    const match = bestFaq(text, routing.department ?? contenders(text))
    // The answer the customer just got, asked again ("já fiz isso e continua", the same
    // question repeated): sending it once more loops them; the base has nothing else, a person may.
    if (match !== undefined && recentReplies(input.history).includes(match.answer)) {
      return rule(kb.messages.handoff, routing.department ?? match.department, { handoff: true, confidence: round(routing.confidence * 0.3), source: 'fallback' })
    }
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
    if (lastOut?.text === kb.messages.fallback) {
      return rule(kb.messages.handoff, routing.department, { handoff: true, confidence: round(routing.confidence * 0.3), source: 'fallback' })
    }
    // When unsure, ask (issue #12): words but no department told apart, none before either,
    // and no menu just sent (a menu nobody picked from gets the fallback, then a person).
    if (words.length > 0 && routing.department === undefined && lastOut?.menu === undefined && kb.departments.length > 1) {
      return menuReply(text, routing.confidence)
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

/** Every content stem the knowledge base uses: its departments and its FAQ. */
function knowledgeBaseTerms(kb: KnowledgeBase, analyzer: Analyzer): Set<string> {
  const texts = [
    ...kb.departments.flatMap((d) => [d.id, d.name, d.description, ...d.examples]),
    ...kb.faq.flatMap((f) => [f.question, f.answer]),
  ]
  return new Set(texts.flatMap((t) => analyzer.terms(t)))
}

/** How many of the bot's latest messages an FAQ answer must not repeat (a survey or a fallback may sit between). */
const REPEAT_WINDOW = 3

/** The texts of the bot's last {@link REPEAT_WINDOW} messages in `history`. */
function recentReplies(history: AiMessage[]): string[] {
  return history.filter((m) => m.direction === 'out').slice(-REPEAT_WINDOW).map((m) => m.text)
}

function isClear(best: DepartmentScore, second: DepartmentScore | undefined): boolean {
  if (best.score < LOCAL_TUNING.minDepartmentScore) return false
  return second === undefined || best.score >= second.score * LOCAL_TUNING.minDepartmentMargin
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000
}

/** `yyyy-mm-dd` of `at` on the wall calendar of `timeZone`. */
function dayIn(timeZone: string, at: Date): string {
  // en-CA formats dates as yyyy-mm-dd.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}
