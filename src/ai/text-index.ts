import MiniSearch, { type Options, type SearchResult } from 'minisearch'
import type { KnowledgeBase } from './knowledge-base.js'
import { createAnalyzer, type Analyzer } from './text-analysis.js'

/** One FAQ entry found for a customer text. */
export interface FaqMatch {
  question: string
  answer: string
  department: string
  /** BM25 relevance, higher is better; comparable only within one search. */
  score: number
  /** 0..1: share of the text's content terms that this entry matched. */
  coverage: number
}

export interface FaqIndex {
  /** The `limit` most relevant FAQ entries for `text`, best first; [] when nothing matches. */
  search(text: string, limit: number): FaqMatch[]
}

export interface DepartmentScore {
  department: string
  /** 0..1; 1 when the department is the best match in both views (see createDepartmentIndex). */
  score: number
  /** 0..1: share of the text's content terms found in this department's texts. */
  coverage: number
}

export interface DepartmentIndex {
  /** Every department that matched `text`, best first. */
  rank(text: string): DepartmentScore[]
}

interface Doc {
  id: number
  department: string
  text: string
  question?: string
  answer?: string
}

/**
 * Typos cost one edit from 4 characters and two from 8, on stems. Fuzzy and prefix matches
 * weigh less than exact ones (MiniSearch's `weights`).
 */
function maxEdits(term: string): number {
  return term.length >= 8 ? 2 : term.length >= 4 ? 1 : 0
}

function indexOptions(analyzer: Analyzer, fields: string[]): Options<Doc> {
  return {
    fields,
    storeFields: ['department', 'question', 'answer'],
    tokenize: (text) => analyzer.words(text),
    processTerm: (word) => analyzer.term(word),
    searchOptions: { fuzzy: (term) => maxEdits(term), combineWith: 'OR', weights: { fuzzy: 0.5, prefix: 0.3 } },
  }
}

function coverageOf(result: SearchResult, queryTermCount: number): number {
  return queryTermCount === 0 ? 0 : Math.min(1, new Set(result.queryTerms).size / queryTermCount)
}

/**
 * FAQ retrieval over question and answer, the question boosted. Shared by both providers:
 * `local` answers with the best entry, `openai` puts the top entries in its prompt.
 */
export function createFaqIndex(kb: KnowledgeBase, analyzer: Analyzer = createAnalyzer(kb.business.language)): FaqIndex {
  const index = new MiniSearch<Doc>(indexOptions(analyzer, ['question', 'answer']))
  index.addAll(kb.faq.map((f, id) => ({ id, department: f.department, text: f.question, question: f.question, answer: f.answer })))
  return {
    search(text, limit) {
      const queryTermCount = new Set(analyzer.terms(text)).size
      if (queryTermCount === 0 || limit <= 0) return []
      return index
        .search(text, { boost: { question: 3 } })
        .slice(0, limit)
        .map((r) => ({
          question: r.question as string,
          answer: r.answer as string,
          department: r.department as string,
          score: r.score,
          coverage: coverageOf(r, queryTermCount),
        }))
    },
  }
}

/** How much the 2nd and 3rd best examples of a department add to its best one. */
const RANK_WEIGHTS = [1, 0.5, 0.25]

/**
 * Department routing from two views of the same text, each normalized to the best
 * department and then averaged:
 * - one document per department (examples + description + FAQ questions): its IDF rewards
 *   words that only one department uses ("cancelar"), even when all its examples use them;
 * - one document per example, description and FAQ question, a department scoring its best
 *   three: several close examples agreeing beat one long document mentioning a word.
 * Either view alone misroutes messages the other gets right on the sample KB.
 */
export function createDepartmentIndex(
  kb: KnowledgeBase,
  analyzer: Analyzer = createAnalyzer(kb.business.language),
): DepartmentIndex {
  const questionsOf = (id: string) => kb.faq.filter((f) => f.department === id).map((f) => f.question)
  const byDepartment = new MiniSearch<Doc>(indexOptions(analyzer, ['text']))
  byDepartment.addAll(
    kb.departments.map((d, id) => ({ id, department: d.id, text: [...d.examples, d.description, ...questionsOf(d.id)].join('\n') })),
  )
  const byExample = new MiniSearch<Doc>(indexOptions(analyzer, ['text']))
  byExample.addAll(
    kb.departments
      .flatMap((d) => [...d.examples, d.description, ...questionsOf(d.id)].map((text) => ({ department: d.id, text })))
      .map((doc, id) => ({ id, ...doc })),
  )

  return {
    rank(text) {
      const queryTermCount = new Set(analyzer.terms(text)).size
      if (queryTermCount === 0) return []
      const total = new Map<string, number>()
      const add = (scores: Map<string, number>) => {
        const max = Math.max(...scores.values())
        for (const [d, s] of scores) total.set(d, (total.get(d) ?? 0) + s / max / 2)
      }
      const departmentResults = byDepartment.search(text)
      add(new Map(departmentResults.map((r) => [r.department as string, r.score])))
      add(aggregateBest(byExample.search(text)))
      const coverage = new Map(departmentResults.map((r) => [r.department as string, coverageOf(r, queryTermCount)]))
      return [...total]
        .map(([department, score]) => ({ department, score, coverage: coverage.get(department) ?? 0 }))
        .sort((a, b) => b.score - a.score)
    },
  }
}

function aggregateBest(results: SearchResult[]): Map<string, number> {
  const best = new Map<string, number[]>()
  for (const r of results) {
    const scores = best.get(r.department as string) ?? []
    if (scores.length < RANK_WEIGHTS.length) scores.push(r.score)
    best.set(r.department as string, scores)
  }
  return new Map([...best].map(([d, scores]) => [d, scores.reduce((sum, s, i) => sum + s * (RANK_WEIGHTS[i] ?? 0), 0)]))
}
