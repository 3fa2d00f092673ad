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
