import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { BadRequestError, NotFoundError } from '../errors.js'
import { listConversations, loadConversationDetail, schema, type ConversationStatus, type Db } from '../store/index.js'
import { authHeaders } from './admin-auth.js'
import { errorResponses } from './errors.js'

export interface ConversationRoutesOptions {
  db: Db
}

/** Page size of `GET /api/conversations` when `limit` is not given. */
export const DEFAULT_PAGE_SIZE = 20
export const MAX_PAGE_SIZE = 100

interface ListQuery {
  contact?: string
  status?: ConversationStatus
  department?: string
  limit: number
  cursor?: string
}

/** No control characters: PostgreSQL rejects NUL in a text parameter, which would be a 500. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]+$'

const listQueryProperties = {
  contact: { type: 'string', minLength: 1, maxLength: 256, pattern: PRINTABLE },
  status: { type: 'string', enum: [...schema.CONVERSATION_STATUSES] },
  department: { type: 'string', minLength: 1, maxLength: 64, pattern: PRINTABLE },
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  cursor: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' },
} as const

const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  // Fastify's Ajv runs with `removeAdditional: true`, which silently drops unknown keys under
  // `additionalProperties: false`; `propertyNames` makes a misspelt filter a 400 instead of
  // an unfiltered listing (`rejectUnknownQueryKeys` says so first, more clearly).
  propertyNames: { enum: Object.keys(listQueryProperties) },
  properties: listQueryProperties,
} as const

const isoTimestamp = { type: 'string', format: 'date-time' } as const
const nullableIsoTimestamp = { type: ['string', 'null'], format: 'date-time' } as const
const nullableString = { type: ['string', 'null'] } as const

const conversationProperties = {
  id: { type: 'integer' },
  phoneNumberId: { type: 'string' },
  contact: {
    type: 'object',
    properties: { id: { type: 'integer' }, waId: nullableString, userId: nullableString, profileName: nullableString },
    required: ['id', 'waId', 'userId', 'profileName'],
  },
  status: { type: 'string' },
  department: nullableString,
  simulated: { type: 'boolean' },
  lastSeq: { type: 'integer' },
  answeredSeq: { type: 'integer' },
  turnDueAt: nullableIsoTimestamp,
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  lastMessage: {
    type: 'object',
    properties: { direction: { type: 'string' }, type: { type: 'string' }, text: nullableString, createdAt: isoTimestamp },
    required: ['direction', 'type', 'text', 'createdAt'],
  },
} as const

const conversationRequired = ['id', 'phoneNumberId', 'contact', 'status', 'department', 'simulated', 'lastSeq', 'answeredSeq', 'turnDueAt', 'createdAt', 'updatedAt']

const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    direction: { type: 'string' },
    wamid: nullableString,
    seq: { type: 'integer' },
    part: { type: 'integer' },
    type: { type: 'string' },
    text: nullableString,
    // Stored JSON as Meta sent it (or our send error): any shape, passed through as is.
    media: {},
    payload: {},
    analysis: {},
    providerStatus: { type: 'string' },
    error: {},
    sentAt: nullableIsoTimestamp,
    createdAt: isoTimestamp,
  },
  required: ['id', 'direction', 'wamid', 'seq', 'part', 'type', 'text', 'providerStatus', 'sentAt', 'createdAt'],
} as const

/** `GET /api/conversations` and `GET /api/conversations/:id`: read-only, behind the admin guard. */
export const conversationRoutes: FastifyPluginAsync<ConversationRoutesOptions> = async (app, options) => {
  app.get<{ Querystring: ListQuery }>(
    '/conversations',
    {
      preValidation: rejectUnknownQueryKeys,
      schema: {
        headers: authHeaders,
        querystring: listQuerySchema,
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { type: 'object', properties: conversationProperties, required: conversationRequired } },
              nextCursor: nullableString,
            },
            required: ['items', 'nextCursor'],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { contact, status, department, limit, cursor } = request.query
      const beforeId = cursor === undefined ? undefined : decodeCursor(cursor)
      const rows = await listConversations(options.db, { contact, status, department, beforeId, limit: limit + 1 })
      const items = rows.slice(0, limit)
      const hasMore = rows.length > limit
      return { items, nextCursor: hasMore ? encodeCursor(items[items.length - 1]!.id) : null }
    },
  )

  app.get<{ Params: { id: number } }>(
    '/conversations/:id',
    {
      schema: {
        headers: authHeaders,
        params: {
          type: 'object',
          properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
          required: ['id'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              ...conversationProperties,
              messages: { type: 'array', items: messageSchema },
              truncated: { type: 'boolean' },
            },
            required: [...conversationRequired, 'messages', 'truncated'],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const detail = await loadConversationDetail(options.db, request.params.id)
      if (detail === undefined) throw new NotFoundError(`conversation ${request.params.id} does not exist`)
      return detail
    },
  )
}

/** Same rule as the schema's `propertyNames`, but with a message that names the key and the choices. */
async function rejectUnknownQueryKeys(request: FastifyRequest): Promise<void> {
  const unknown = Object.keys(request.query as object).find((k) => !Object.hasOwn(listQueryProperties, k))
  if (unknown !== undefined) {
    const allowed = Object.keys(listQueryProperties).join(', ')
    throw new BadRequestError(`query parameter ${JSON.stringify(unknown.slice(0, 64))} is not supported; expected one of: ${allowed}`)
  }
}

/**
 * The cursor is the base64url of the last id of the page, opaque to clients. Pages are
 * ordered by `id desc`, so the next page is `id < cursor` and stays stable while
 * conversations are updated. Only the canonical encoding of a safe positive integer is
 * accepted: `Buffer.from(…, 'base64url')` ignores stray characters, hence the round trip.
 */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id), 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(id) || encodeCursor(id) !== cursor) {
    throw new BadRequestError('cursor is not one this API returned; expected the nextCursor of a previous page')
  }
  return id
}
