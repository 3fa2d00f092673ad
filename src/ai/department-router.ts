import { conceptLexicon } from './concepts.js'
import type { KnowledgeBase } from './knowledge-base.js'
import type { Analyzer } from './text-analysis.js'

/**
 * Routing a customer text to a department, on any knowledge base (decision 0021). Each
 * department is a bag of features drawn from everything the base says about it (name,
 * description, examples, FAQ questions): word stems, the concepts those words name
 * (concepts.ts), and for a word the base never uses, the known word closest in character
 * bigrams (typos). A text is scored as Naive Bayes would, each department against all the
 * others: a feature counts by how much more one department's texts use it than the base as
 * a whole does, and how much less the other departments' texts do, so "cancelar" decides and
 * "internet" (everywhere in a telecom base) does not.
 */
export interface DepartmentScore {
  department: string
  /** Posterior probability that the text belongs here: the scores of one ranking add up to 1. */
  score: number
}

export interface DepartmentRouter {
  /** Every department, best first; [] when the text has no word the base or the lexicon knows. */
  rank(text: string): DepartmentScore[]
}

/** Router knobs, tuned on the tuning sets only (test/fixtures/routing). */
export const ROUTER_TUNING = {
  /** How much each source of a department's text counts. */
  sourceWeights: { name: 2, description: 1, example: 1, faqQuestion: 1, faqAnswer: 0 },
  /** A concept feature weighs this much against its word's stem... */
  conceptWeight: 2,
  /**
   * ...but money words weigh more: whatever a charge or a payment was for, paying is the
   * finance department's job ("me cobraram 80 no corte" is not a haircut question). Swept
   * 2–4 on the tuning sets: at 3 every set routed as many right or more, and as few wrong or
   * fewer (decision 0021, round 5).
   */
  conceptWeightOf: { pay: 3 } as Readonly<Record<string, number>>,
  /** Least bigram similarity (Dice) for an unknown word to stand for a known one. */
  minTypoSimilarity: 0.7,
  /** Unknown words shorter than this are not matched fuzzily ("cama" is not "cara"). */
  minTypoLength: 5,
  /** Naive Bayes smoothing, in feature mass drawn from the whole base's distribution. */
  smoothing: 4,
  /**
   * How much the other departments' texts count against a department (0: only its own texts
   * speak for it; 1: only the others' against it). Swept 0–1 on the tuning sets: 0.5 routed as
   * many right as 0 with fewer wrong (decision 0021, round 5).
   */
  complementWeight: 0.5,
} as const

type Features = Map<string, number>

const conceptWeight = (concept: string) => ROUTER_TUNING.conceptWeightOf[concept] ?? ROUTER_TUNING.conceptWeight

/** Stems shorter than this name a concept only as the exact lexicon word. */
const MIN_CONCEPT_STEM = 4

export function createDepartmentRouter(kb: KnowledgeBase, analyzer: Analyzer): DepartmentRouter {
  const w = ROUTER_TUNING.sourceWeights
  const stemConcepts = new Map<string, string[]>()
  const lexicon = conceptLexicon(analyzer.language)
  for (const [word, concepts] of lexicon) {
    const stem = analyzer.term(word)
    // Short stems collide ("parado" and "parou" both stem to "par"): those match whole words only.
    if (stem !== null && stem.length >= MIN_CONCEPT_STEM) stemConcepts.set(stem, [...new Set([...(stemConcepts.get(stem) ?? []), ...concepts])])
  }
  const conceptsOf = (word: string, stem: string) => lexicon.get(word) ?? stemConcepts.get(stem) ?? []
  // Known words (the base's and the lexicon's) by folded form, for typo matching.
  const known = new Map<string, string>()
  const learn = (text: string) => {
    for (const word of analyzer.words(text)) {
      const stem = analyzer.term(word)
      if (stem !== null && word.length >= ROUTER_TUNING.minTypoLength) known.set(word, stem)
    }
  }
  for (const word of lexicon.keys()) learn(word)

  const profiles = kb.departments.map((d) => {
    const faq = kb.faq.filter((f) => f.department === d.id)
    const sources: Array<[string, number]> = [
      [d.name, w.name],
      [d.description, w.description],
      ...d.examples.map((e): [string, number] => [e, w.example]),
      ...faq.map((f): [string, number] => [f.question, w.faqQuestion]),
      ...faq.map((f): [string, number] => [f.answer, w.faqAnswer]),
    ]
    const features: Features = new Map()
    for (const [text, weight] of sources) {
      learn(text)
      if (weight <= 0) continue
      for (const [f, v] of featuresOf(text, false)) features.set(f, (features.get(f) ?? 0) + v * weight)
    }
    return { department: d.id, features }
  })
  const knownStems = new Set(known.values())
  // Naive Bayes over the features: P(feature | department), smoothed towards the feature's
  // share of the whole base, so a word every department uses tells none apart and a concept
  // one department names five times and another once leans clearly to the first.
  const mass = profiles.map((p) => [...p.features.values()].reduce((a, b) => a + b, 0))
  const totalMass = mass.reduce((a, b) => a + b, 0)
  const featureMass = new Map<string, number>()
  for (const p of profiles) for (const [f, v] of p.features) featureMass.set(f, (featureMass.get(f) ?? 0) + v)
  const background = new Map([...featureMass].map(([f, v]) => [f, v / totalMass]))
  const alpha = ROUTER_TUNING.smoothing
  /** log P(f | texts) / P(f | base), the texts holding `count` of f in `total` feature mass. */
  const lift = (count: number, total: number, bg: number) => Math.log((count + alpha * bg) / (total + alpha) / bg)
  // One department against the rest (as complement Naive Bayes does): with five examples a
  // department's own estimate is thin, and the other departments' texts, several times as many,
  // say more surely that they do not use a word. The two views weigh half each
  // (ROUTER_TUNING.complementWeight).
  const cw = ROUTER_TUNING.complementWeight
  const evidence = (i: number, f: string) => {
    const bg = background.get(f)!
    const own = profiles[i]!.features.get(f) ?? 0
    return (1 - cw) * lift(own, mass[i]!, bg) - cw * lift(featureMass.get(f)! - own, totalMass - mass[i]!, bg)
  }

  /** Each content word's stem (or the known word it is a typo of) and its concepts, summed. */
  function featuresOf(text: string, typos: boolean): Features {
    const features: Features = new Map()
    // Each word counts: two payment words are more evidence than one.
    const add = (f: string, v: number) => features.set(f, (features.get(f) ?? 0) + v)
    for (const word of analyzer.words(text)) {
      const stem = analyzer.term(word)
      if (stem === null) continue
      let weight = 1
      let resolved: [string, string] = [word, stem]
      if (typos && !knownStems.has(stem) && !lexicon.has(word) && !stemConcepts.has(stem)) {
        const match = closestKnown(word)
        if (match !== undefined) [resolved, weight] = match
      }
      add(resolved[1], weight)
      // A word naming several concepts spreads its weight: "comprovante" (pay, invoice) is one word.
      const concepts = conceptsOf(...resolved)
      for (const concept of concepts) add(`§${concept}`, (weight * conceptWeight(concept)) / concepts.length)
    }
    return features
  }

  function closestKnown(word: string): [[string, string], number] | undefined {
    if (word.length < ROUTER_TUNING.minTypoLength) return undefined
    let best: [[string, string], number] | undefined
    for (const [candidate, stem] of known) {
      // A typo seldom hits the first letter; without this, "toalha" would read as "falha".
      if (candidate[0] !== word[0] || Math.abs(candidate.length - word.length) > 2) continue
      const similarity = bigramDice(word, candidate)
      if (similarity >= ROUTER_TUNING.minTypoSimilarity && (best === undefined || similarity > best[1])) best = [[candidate, stem], similarity]
    }
    return best
  }

  return {
    rank(text) {
      const query = [...featuresOf(text, true)].filter(([f]) => background.has(f))
      if (query.length === 0) return []
      const log = profiles.map((_, i) => query.reduce((sum, [f, q]) => sum + q * evidence(i, f), 0))
      const top = Math.max(...log)
      const odds = log.map((l) => Math.exp(l - top))
      const norm = odds.reduce((a, b) => a + b, 0)
      return profiles
        .map((p, i) => ({ department: p.department, score: odds[i]! / norm }))
        .sort((a, b) => b.score - a.score)
    },
  }
}

/** Dice coefficient of the two words' character bigrams, word boundaries included. */
export function bigramDice(a: string, b: string): number {
  const grams = (s: string) => {
    const padded = `^${s}$`
    const out: string[] = []
    for (let i = 0; i < padded.length - 1; i++) out.push(padded.slice(i, i + 2))
    return out
  }
  const left = grams(a)
  const right = grams(b)
  const pool = new Map<string, number>()
  for (const g of right) pool.set(g, (pool.get(g) ?? 0) + 1)
  let common = 0
  for (const g of left) {
    const n = pool.get(g) ?? 0
    if (n > 0) {
      common++
      pool.set(g, n - 1)
    }
  }
  return (2 * common) / (left.length + right.length)
}

