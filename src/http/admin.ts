import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Secret } from '../config/index.js'
import { BadRequestError, NotFoundError, UnauthorizedError } from '../errors.js'
import { listConversations, loadConversationDetail, schema, type ConversationStatus, type Db } from '../store/index.js'
import { errorResponse } from './errors.js'
import { privacyRoutes } from './privacy.js'
import type { ServerTiming } from './server-timing.js'
import type { Privacy } from '../privacy/index.js'

export interface AdminRoutesOptions {
  db: Db
  /** Server-side request latency, exposed at `GET /api/metrics/http`. */
  serverTiming: ServerTiming
  /** `ADMIN_TOKEN`. Without it every admin route answers 401: the API is off, never open. */
  token: Secret | undefined
  /** Export and erase of a customer's data, under `/api/contacts` (src/http/privacy.ts). */
  privacy: Privacy
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

const authHeaders = {
  type: 'object',
  properties: { authorization: { type: 'string', maxLength: 1024 } },
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

const conversationRequired = ['id', 'phoneNumberId', 'contact', 'status', 'department', 'lastSeq', 'answeredSeq', 'turnDueAt', 'createdAt', 'updatedAt']

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
    providerStatus: { type: 'string' },
    error: {},
    sentAt: nullableIsoTimestamp,
    createdAt: isoTimestamp,
  },
  required: ['id', 'direction', 'wamid', 'seq', 'part', 'type', 'text', 'providerStatus', 'sentAt', 'createdAt'],
} as const

const errorResponses = { '4xx': errorResponse, '5xx': errorResponse } as const

/**
 * Read-only admin API under `/api` (register with `prefix: '/api'`), behind
 * `Authorization: Bearer <ADMIN_TOKEN>`. The check is an `onRequest` hook of this plugin, so
 * it guards these routes only and runs before any input is validated or read.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, options) => {
  const expected = options.token === undefined ? undefined : digest(options.token.reveal())

  app.addHook('onRequest', async (request) => {
    if (expected === undefined) throw new UnauthorizedError('the admin API is disabled: ADMIN_TOKEN is not set')
    const given = bearerToken(request.headers.authorization)
    // Comparing digests keeps the comparison constant-time whatever the length given.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) throw new UnauthorizedError()
  })

  await app.register(privacyRoutes, { privacy: options.privacy })

  app.get(
    '/metrics/http',
    {
      schema: {
        headers: authHeaders,
        response: {
          200: {
            type: 'object',
            properties: {
              count: { type: 'integer' },
              p50Ms: { type: 'number' },
              p99Ms: { type: 'number' },
              p999Ms: { type: 'number' },
              maxMs: { type: 'number' },
            },
            required: ['count', 'p50Ms', 'p99Ms', 'p999Ms', 'maxMs'],
          },
          ...errorResponses,
        },
      },
    },
    async () => options.serverTiming.snapshot(),
  )

  app.delete(
    '/metrics/http',
    { schema: { headers: authHeaders, response: { 204: { type: 'null' }, ...errorResponses } } },
    async (_request, reply) => {
      options.serverTiming.reset()
      return reply.code(204).send()
    },
  )

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

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 9110 §11.1). */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+) *$/i.exec(header ?? '')
  return match?.[1]
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
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
