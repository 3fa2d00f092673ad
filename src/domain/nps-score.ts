/**
 * Reading the answer to the NPS survey (issue #9): a typed score, the reason asked after it,
 * or the customer's "parar". And the arithmetic: categories and the NPS itself.
 *
 * The survey is plain text, so the score arrives as whatever the customer types: "9",
 * "nota 8", "dou 10", "dez", "7/10", "acho que 6". A message that merely holds a number
 * ("9h da manhã", "2 boletos", "tenho 10 anos de cliente", a phone number, a date, an
 * amount) is a new question and must go back to normal handling, never be taken for a
 * score. So the rule is strict: the message has exactly one number from 0 to 10, and every
 * other word is one of a short list of words people put around a score ("nota", "dou",
 * "acho que", "obrigado", "muito bom"…). Anything else is not a score.
 */

/** A score's place in the NPS: 9–10 promoter, 7–8 passive, 0–6 detractor. */
export type NpsCategory = 'promoter' | 'passive' | 'detractor'

/** A score message longer than this many words is a sentence, not a score. */
const MAX_SCORE_WORDS = 10

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  zero: 0, um: 1, uma: 1, dois: 2, duas: 2, tres: 3, quatro: 4, cinco: 5, seis: 6, sete: 7, oito: 8, nove: 9, dez: 10,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
}

/** "um"/"uma" are also articles ("dou um 10"): with another number present they are just words. */
const ARTICLES = new Set(['um', 'uma'])

const words = (s: string) => new Set(s.trim().split(/\s+/))

/**
 * Words that may stand around a score, accents folded. None of them is a unit or a thing
 * that can be counted ("h", "anos", "boletos", "reais", "dias"): with a unit the number is a
 * quantity, not a score.
 */
const SCORE_WORDS = words(`
  nota notas minha meu minhas e eh a o os as um uma de do da pra para pro pros voces vcs voce vc vcs
  dou daria dar darei damos dei vou eu acho que seria sera fica ficou deixo deixa
  com certeza sem duvida claro sim ok okay ta ne ai entao bom boa muito muita bem otimo otima
  excelente top show perfeito legal ruim pessimo pessima regular mais ou menos so isso mesmo
  obrigado obrigada obg brigado brigada valeu vlw agradeco atendimento servico hoje pelo pela
  kk kkk kkkk rs rsrs hehe haha
  i id d would give it a my score is rate rating say maybe think probably thanks thank you yes the
  service great good bad very much so
`)

const NUMBER_TOKEN = /^(?:10|0?[0-9])$/

/** Words that rate the service by themselves: a reply made of these and no number is a rating in words. */
const RATING_WORDS = words(`
  ruim pessimo pessima horrivel regular razoavel menos bom boa otimo otima excelente maravilhoso maravilhosa top show
  perfeito perfeita legal
  bad terrible awful great good excellent perfect
`)

/**
 * Whether a message rates the service in words only ("péssimo", "muito bom", "mais ou
 * menos"): no number, every word one that stands around a score, one of them a rating.
 */
export function isRatingInWords(text: string): boolean {
  if (text.length > 200) return false
  const tokens = tokenize(text)
  if (tokens.length === 0 || tokens.length > MAX_SCORE_WORDS) return false
  if (tokens.some((t) => numberOf(t) !== undefined && !ARTICLES.has(t))) return false
  return tokens.every((t) => SCORE_WORDS.has(t) || RATING_WORDS.has(t)) && tokens.some((t) => RATING_WORDS.has(t))
}

/**
 * The score 0–10 a message gives, or null when it is not (only) a score. Never throws.
 * Examples: "9" → 9, "nota 8" → 8, "dou 10!" → 10, "dez" → 10, "7/10" → 7,
 * "acho que 6" → 6, "9️⃣" → 9; "9h da manhã", "2 boletos", "R$ 10", "10/12/2026" → null.
 */
export function parseNpsScore(text: string): number | null {
  if (text.length > 200) return null
  const tokens = tokenize(text)
  if (tokens.length === 0 || tokens.length > MAX_SCORE_WORDS) return null
  let candidates = tokens.filter((t) => numberOf(t) !== undefined)
  if (candidates.length > 1) candidates = candidates.filter((t) => !ARTICLES.has(t))
  if (candidates.length !== 1) return null
  const number = candidates[0]!
  const rest = tokens.filter((t) => t !== number)
  if (!rest.every((t) => SCORE_WORDS.has(t))) return null
  // The same number written twice ("10 10") is one candidate repeated: still one score.
  return numberOf(number)!
}

function numberOf(token: string): number | undefined {
  if (NUMBER_TOKEN.test(token)) return Number(token)
  return Object.hasOwn(NUMBER_WORDS, token) ? NUMBER_WORDS[token] : undefined
}

/**
 * Lower case, accents folded, keycap emoji read as digits, "N/10", "N de 10" and "N out of
 * 10" read as N, then split into words; punctuation and emoji between words are dropped.
 * A "/", ":", "$", "%", "." or "-" inside a token stays, so a date, time, amount or phone
 * number remains one token that is neither a number nor a score word.
 */
function tokenize(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\u{1F51F}/gu, ' 10 ')
    .replace(/([0-9])\uFE0F?\u20E3/g, ' $1 ')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/(?<![\d/.,:$])(\d{1,2})\s*(?:\/|\bde\b|\bem\b|\bout of\b)\s*10(?![\d/.,:%])/g, ' $1 ')
  return folded
    .split(/[\s,;!?…()[\]{}"“”'‘’*~_+=<>|^`]+/u)
    .map((t) => t.replace(/^[.:]+|[.:-]+$/g, ''))
    .filter((t) => /[\p{L}\p{N}]/u.test(t))
}

/** Whole messages that mean "stop sending me surveys", accents folded, punctuation dropped. */
const OPT_OUT = [
  /^(?:parar|pare|stop|unsubscribe|sair da pesquisa|cancelar pesquisas?)$/,
  /^(?:para|pare) de (?:mandar|enviar)(?: (?:pesquisas?|mensagens?|isso))?$/,
  /^(?:eu )?nao quero (?:mais )?(?:receber |responder )?(?:a |as |essa |essas )?(?:pesquisas?|avaliac(?:ao|oes))(?: (?:de satisfacao|nenhuma))?(?: mais)?$/,
  /^(?:nao )?(?:me )?(?:mande|mandem|envie|enviem) mais pesquisas?$/,
  /^nao (?:me )?(?:mande|mandem|envie|enviem) (?:mais )?pesquisas?(?: mais)?$/,
  /^sem pesquisas?$/,
  /^(?:no more surveys?|(?:i )?(?:dont|do not) want (?:any )?(?:more )?surveys?|stop (?:the )?surveys?)$/,
]

/** Politeness around an opt-out, removed before matching. */
const OPT_OUT_POLITE = /\b(?:por favor|pfv|pf|pfvr|obrigad[oa]|obg|please|thanks)\b/g

/**
 * Whether a message opts the customer out of surveys for good: "parar", "não quero
 * pesquisa", "stop"... Only whole messages count: "meu wifi vai parar" is a question.
 */
export function isSurveyOptOut(text: string): boolean {
  if (text.length > 200) return false
  const plain = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(OPT_OUT_POLITE, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return OPT_OUT.some((p) => p.test(plain))
}

/** Where the survey stands: waiting for the score, or for the reason asked after it. */
export type SurveyPhase = 'score' | 'reason'

export type SurveyAnswer =
  | { kind: 'opt_out' }
  | { kind: 'score'; score: number; category: NpsCategory }
  | { kind: 'comment'; text: string }
  /** Waiting for the score, a rating in words and no number ("péssimo"): the score is asked again. */
  | { kind: 'words' }
  /** Not an answer to the survey: a new question, back to normal handling. */
  | { kind: 'other' }

/**
 * What a customer message means while the conversation is `awaiting_nps`. Waiting for the
 * score, only a score counts; a rating in words ("péssimo") is told apart so the number
 * can be asked for. Waiting for the reason, any text is the comment, unless it
 * asks something (ends with "?"): a question is a new need, and the customer skipped the
 * reason.
 */
export function classifySurveyAnswer(text: string, phase: SurveyPhase): SurveyAnswer {
  if (isSurveyOptOut(text)) return { kind: 'opt_out' }
  if (phase === 'score') {
    const score = parseNpsScore(text)
    if (score !== null) return { kind: 'score', score, category: npsCategory(score) }
    return isRatingInWords(text) ? { kind: 'words' } : { kind: 'other' }
  }
  const comment = text.trim()
  if (comment === '' || /\?\s*$/.test(comment)) return { kind: 'other' }
  return { kind: 'comment', text: comment }
}

/** @throws RangeError for anything but an integer from 0 to 10. */
export function npsCategory(score: number): NpsCategory {
  if (!Number.isInteger(score) || score < 0 || score > 10) throw new RangeError(`expected an integer score from 0 to 10; got ${score}`)
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor'
}

export interface NpsCounts {
  promoters: number
  passives: number
  detractors: number
}

/**
 * NPS = % promoters − % detractors, from −100 to +100, rounded to an integer (halves away
 * from zero, so +12.5 and −12.5 round alike to ±13); null when there are no responses.
 */
export function netPromoterScore(counts: NpsCounts): number | null {
  const responses = counts.promoters + counts.passives + counts.detractors
  if (responses === 0) return null
  const exact = ((counts.promoters - counts.detractors) * 100) / responses
  const rounded = Math.sign(exact) * Math.round(Math.abs(exact))
  return rounded === 0 ? 0 : rounded
}

/** Counts of each category among scores. */
export function tallyScores(scores: Iterable<number>): NpsCounts & { responses: number } {
  const t = { responses: 0, promoters: 0, passives: 0, detractors: 0 }
  for (const s of scores) {
    t.responses++
    t[`${npsCategory(s)}s`]++
  }
  return t
}
