import type { FastifyPluginAsync } from 'fastify'
import { findPersonalData, type PersonalDataSpan } from '../domain/index.js'
import { BadRequestError, LearningPersonalDataError, LearningProposalIncompleteError, LearningProposalStateError, NotFoundError } from '../errors.js'
import {
  approveProposal, listProposals, loadProposal, MAX_PROPOSALS_PAGE, rejectProposal, schema,
  type Db, type LearningProposal, type LearningProposalKind, type LearningProposalStatus, type ReviewResult,
} from '../store/index.js'
import { authHeaders } from './admin-auth.js'
import { errorResponses } from './errors.js'

export interface LearningRoutesOptions {
  db: Db
  /**
   * The knowledge base's department ids: an approved entry must name one. Undefined: any
   * well-formed id is accepted (tests of other routes need no knowledge base).
   */
  departments?: readonly string[] | undefined
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/**
 * Text a reviewer may send: any printable text, line breaks included; no NUL or other
 * controls, and no lone UTF-16 surrogate (`\p{Cs}`: Ajv's patterns are Unicode-aware), which
 * would be stored as U+FFFD, another text than the one approved.
 */
const TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\p{Cs}]*$'
const DEPARTMENT_PATTERN = '^[a-z0-9][a-z0-9_-]*$'
/** The knowledge base's own limits (ai/knowledge-base.ts): a question of 1,000, an answer of one WhatsApp text. */
const MAX_QUESTION_CHARS = 1000
const MAX_ANSWER_CHARS = 4096

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
  required: ['id'],
} as const

const listQueryProperties = {
  status: { type: 'string', enum: [...schema.LEARNING_PROPOSAL_STATUSES] },
  kind: { type: 'string', enum: [...schema.LEARNING_PROPOSAL_KINDS] },
  limit: { type: 'integer', minimum: 1, maximum: MAX_PROPOSALS_PAGE, default: 50 },
} as const

const listQuery = {
  type: 'object',
  additionalProperties: false,
  propertyNames: { enum: Object.keys(listQueryProperties) },
  properties: listQueryProperties,
} as const

const approveProperties = {
  question: { type: 'string', minLength: 1, maxLength: MAX_QUESTION_CHARS, pattern: TEXT_PATTERN },
  answer: { type: 'string', minLength: 1, maxLength: MAX_ANSWER_CHARS, pattern: TEXT_PATTERN },
  department: { type: 'string', minLength: 1, maxLength: 64, pattern: DEPARTMENT_PATTERN },
  /** Approve although the text still holds personal data (decision 0016). */
  allowPersonalData: { type: 'boolean' },
} as const

/**
 * `propertyNames`: Fastify's Ajv drops unknown keys under `additionalProperties: false`
 * (`removeAdditional`), so a misspelt `anwser` would approve the proposal unedited; it is a
 * 400 instead.
 */
const approveBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  propertyNames: { enum: Object.keys(approveProperties) },
  properties: approveProperties,
} as const

/** Nothing to send; a body with any field is refused rather than silently dropped. */
const rejectBody = { type: ['object', 'null'], maxProperties: 0 } as const

const nullableString = { type: ['string', 'null'] } as const
const spanSchema = {
  type: 'object',
  properties: { field: { type: 'string' }, kind: { type: 'string' }, start: { type: 'integer' }, end: { type: 'integer' } },
  required: ['field', 'kind', 'start', 'end'],
} as const
const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string' },
    status: { type: 'string' },
    question: nullableString,
    answer: nullableString,
    department: nullableString,
    count: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    reviewedAt: { type: ['string', 'null'], format: 'date-time' },
    score: { type: ['integer', 'null'] },
    flagged: { type: 'boolean' },
    flags: { type: 'array', items: spanSchema },
  },
  required: ['id', 'kind', 'status', 'question', 'answer', 'department', 'count', 'createdAt', 'flagged', 'flags'],
} as const
const reviewResponse = {
  type: 'object',
  properties: { id: { type: 'integer' }, status: { type: 'string' }, knowledgeAdditionId: { type: ['integer', 'null'] } },
  required: ['id', 'status', 'knowledgeAdditionId'],
} as const

interface ApproveBody {
  question?: string
  answer?: string
  department?: string
  allowPersonalData?: boolean
}

type Flag = PersonalDataSpan & { field: 'question' | 'answer' }

/**
 * The learning review (issue #9, milestone D), under the admin guard: list proposals, approve
 * one (optionally edited) into the knowledge base, or reject it. Nothing reaches the bot
 * without an approval; a text with personal data needs it edited out or an explicit override.
 */
export const learningRoutes: FastifyPluginAsync<LearningRoutesOptions> = async (app, options) => {
  const now = options.now ?? (() => new Date())
  // "An empty body approves as proposed": a POST with Content-Type: application/json and no
  // body is an empty approval here, not Fastify's FST_ERR_CTP_EMPTY_JSON_BODY.
  const json = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8')
    if (text.trim() === '') return done(null, null)
    // The default parser (prototype-poisoning checks included) answers through `done`; its
    // refusals become our code, as every other 4xx of the admin API.
    void json(request, text, (err, value) => (err ? done(new BadRequestError(`request body is not valid JSON: ${err.message}`)) : done(null, value)))
  })

  app.get<{ Querystring: { status?: LearningProposalStatus; kind?: LearningProposalKind; limit: number } }>(
    '/learning/proposals',
    { schema: { headers: authHeaders, querystring: listQuery, response: { 200: { type: 'object', properties: { items: { type: 'array', items: itemSchema } }, required: ['items'] }, ...errorResponses } } },
    async (request) => {
      const { status, kind, limit } = request.query
      const items = await listProposals(options.db, { status, kind, limit })
      return { items: items.map(toItem) }
    },
  )

  app.post<{ Params: { id: number }; Body: ApproveBody | null }>(
    '/learning/proposals/:id/approve',
    { schema: { headers: authHeaders, params: idParams, body: approveBody, response: { 200: reviewResponse, ...errorResponses } } },
    async (request) => {
      const { id } = request.params
      const body = request.body ?? {}
      const p = await loadProposal(options.db, id)
      if (p === undefined) throw new NotFoundError(`learning proposal ${id} does not exist`)
      if (p.status !== 'pending') throw new LearningProposalStateError(id, p.status)
      const final = {
        question: (body.question ?? p.question ?? '').trim(),
        answer: (body.answer ?? p.answer ?? '').trim(),
        department: body.department ?? p.department ?? '',
      }
      if (p.kind !== 'detractor') {
        checkComplete(final, options.departments)
        const flags = flagsOf(final, p.customerName)
        if (flags.length > 0 && body.allowPersonalData !== true) throw new LearningPersonalDataError(describeFlags(flags))
      }
      const result = await approveProposal(options.db, { id, ...final, now: now() })
      const done = settled(id, result)
      request.log.info({ proposalId: id, kind: p.kind, edited: Object.keys(body).length > 0, knowledgeAdditionId: done.additionId }, 'learning proposal approved')
      return { id, status: done.proposal.status, knowledgeAdditionId: done.additionId }
    },
  )

  app.post<{ Params: { id: number } }>(
    '/learning/proposals/:id/reject',
    { schema: { headers: authHeaders, params: idParams, body: rejectBody, response: { 200: reviewResponse, ...errorResponses } } },
    async (request) => {
      const { id } = request.params
      const done = settled(id, await rejectProposal(options.db, { id, now: now() }))
      request.log.info({ proposalId: id }, 'learning proposal rejected')
      return { id, status: done.proposal.status, knowledgeAdditionId: null }
    },
  )
}

function settled(id: number, result: ReviewResult): Extract<ReviewResult, { kind: 'done' }> {
  if (result.kind === 'notFound') throw new NotFoundError(`learning proposal ${id} does not exist`)
  if (result.kind === 'wrongState') throw new LearningProposalStateError(id, result.status)
  return result
}

function checkComplete(final: { question: string; answer: string; department: string }, departments: readonly string[] | undefined): void {
  const problems: string[] = []
  if (final.question === '') problems.push('question is empty; send one')
  if (final.answer === '') problems.push('answer is empty; send one')
  if (final.department === '') problems.push('department is unknown; send one')
  else if (departments !== undefined && !departments.includes(final.department)) {
    problems.push(`department '${final.department}' is not in the knowledge base; expected one of: ${departments.join(', ')}`)
  }
  if (problems.length > 0) throw new LearningProposalIncompleteError(problems)
}

function flagsOf(text: { question: string | null; answer: string | null }, customerName: string | null): Flag[] {
  return (['question', 'answer'] as const).flatMap((field) => {
    const value = text[field]
    return value === null ? [] : findPersonalData(value, { names: [customerName] }).map((s) => ({ field, ...s }))
  })
}

function describeFlags(flags: readonly Flag[]): string {
  return flags.map((f) => `${f.kind} in ${f.field} at ${f.start}-${f.end}`).join(', ')
}

/** The flags are found again on the text shown: a group shows its latest question, and the detector may have improved. */
function toItem(p: LearningProposal) {
  const flags = flagsOf(p, p.customerName)
  return {
    id: p.id,
    kind: p.kind,
    status: p.status,
    question: p.question,
    answer: p.answer,
    department: p.department,
    count: p.count,
    createdAt: p.createdAt.toISOString(),
    reviewedAt: p.reviewedAt?.toISOString() ?? null,
    score: p.score,
    flagged: flags.length > 0,
    flags,
  }
}
