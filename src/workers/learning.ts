import type { Logger } from 'pino'
import { createAnalyzer, type Language } from '../ai/index.js'
import {
  findPersonalData, questionGroupKey, readLessons, SIMILAR_QUESTION_THRESHOLD, termSimilarity,
} from '../domain/index.js'
import type { Dispatcher, Processor } from '../queues/index.js'
import {
  listPendingGroupKeys, loadLearningInput, markLearningDue, saveLearningRun, type Db, type LearningRun, type ProposalFlag,
} from '../store/index.js'

/** A detractor answers 0 to 6 (DESIGN.md, NPS). */
const MAX_DETRACTOR_SCORE = 6

export interface LearningDeps {
  db: Db
  /** The knowledge base's language: how questions are normalised to be grouped. */
  language: Language
  log: Logger
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/**
 * `learning-tasks`: records what one conversation teaches and collects proposals for review
 * (issue #9, milestone D). Idempotent: every run reads the whole conversation again and
 * stores by stable keys (store/learning.ts), so a second run — at close, after the NPS
 * answer, or a wake-up sent twice — updates and never duplicates. Learns nothing by itself:
 * approving a proposal is a person's act (http/learning.ts).
 */
export function createLearningProcessor(deps: LearningDeps): Processor<'learning-tasks'> {
  const now = deps.now ?? (() => new Date())
  const analyzer = createAnalyzer(deps.language)

  return async (wakeUp, ctx) => {
    const startedAt = now()
    const input = await loadLearningInput(deps.db, wakeUp.conversationId)
    if (input === undefined) return // erased meanwhile
    const lessons = readLessons(input.messages, input.status)
    const names = [input.customerName]
    const flagsOf = (fields: { question?: string | undefined; answer?: string | undefined }): ProposalFlag[] =>
      (['question', 'answer'] as const).flatMap((field) => {
        const text = fields[field]
        return text === undefined ? [] : findPersonalData(text, { names }).map((s) => ({ field, ...s }))
      })

    const faq = lessons.fallbacks.flatMap((f) =>
      f.answer === undefined ? [] : [{ sourceMessageId: f.messageId, question: f.question, answer: f.answer, department: input.department, flags: flagsOf(f) }],
    )
    const groupKeys = await listPendingGroupKeys(deps.db)
    const unanswered = lessons.fallbacks.flatMap((f) => {
      if (f.answer !== undefined) return []
      const terms = analyzer.terms(f.question)
      if (terms.length === 0) return []
      return [{ messageId: f.messageId, question: f.question, groupKey: pickGroup(terms, groupKeys), flags: flagsOf({ question: f.question }) }]
    })
    const nps = input.nps
    const detractor =
      nps !== undefined && nps.score <= MAX_DETRACTOR_SCORE && nps.comment !== null && nps.comment.trim() !== ''
        ? { comment: nps.comment, score: nps.score, department: input.department, flags: flagsOf({ question: nps.comment }) }
        : undefined
    const run: LearningRun = {
      conversationId: input.conversationId,
      startedAt,
      now: now(),
      record: {
        department: input.department,
        replies: lessons.replies,
        fallbacks: lessons.fallbacks.length,
        handoffReason: lessons.handoffReason,
        npsScore: nps?.score ?? null,
        npsComment: nps?.comment ?? null,
      },
      faq,
      unanswered,
      detractor,
    }
    await saveLearningRun(deps.db, run)
    ctx.log.info(
      { conversationId: input.conversationId, replies: lessons.replies.length, fallbacks: lessons.fallbacks.length, faqProposals: faq.length, unanswered: unanswered.length },
      'learning recorded',
    )
  }

  /** The most similar pending group's key, or a new one; new keys join the list for the next question. */
  function pickGroup(terms: string[], keys: string[]): string {
    let best: { key: string; similarity: number } | undefined
    for (const key of keys) {
      const similarity = termSimilarity(terms, key.split(' '))
      if (similarity >= SIMILAR_QUESTION_THRESHOLD && (best === undefined || similarity > best.similarity)) best = { key, similarity }
    }
    if (best !== undefined) return best.key
    const key = questionGroupKey(terms)
    keys.unshift(key)
    return key
  }
}

export interface LearningProducer {
  /**
   * A learning run is due for this conversation (on resolve, and again on close with the NPS
   * answer): written to the database first, then a wake-up. A failed wake-up is logged, not
   * thrown: the reconciler sends it again from the due column.
   */
  enqueueLearning(conversationId: number): Promise<void>
}

export function createLearningProducer(deps: { db: Db; dispatcher: Dispatcher; log: Logger; now?: () => Date }): LearningProducer {
  const now = deps.now ?? (() => new Date())
  return {
    async enqueueLearning(conversationId) {
      if (!(await markLearningDue(deps.db, conversationId, now()))) return
      try {
        await deps.dispatcher.dispatch([{ queue: 'learning-tasks', conversationId }])
      } catch (err) {
        deps.log.warn({ err, conversationId }, 'learning wake-up failed; the reconciler will send it')
      }
    },
  }
}

