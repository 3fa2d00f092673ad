import type { FastifyPluginAsync } from 'fastify'
import { CUSTOMER_ID_PATTERN, parseCustomerId, type Privacy } from '../privacy/index.js'
import { errorResponse } from './errors.js'

export interface PrivacyRoutesOptions {
  privacy: Privacy
}

const authHeaders = {
  type: 'object',
  properties: { authorization: { type: 'string', maxLength: 1024 } },
} as const

/** `:waId` is the contract's name: a WhatsApp id, or `bsuid:<id>` for a business-scoped customer. */
const params = {
  type: 'object',
  properties: { waId: { type: 'string', pattern: CUSTOMER_ID_PATTERN } },
  required: ['waId'],
} as const

const errorResponses = { '4xx': errorResponse, '5xx': errorResponse } as const

const exportResponse = {
  type: 'object',
  properties: {
    customer: { type: 'string' },
    exportedAt: { type: 'string', format: 'date-time' },
    sections: {
      type: 'array',
      items: {
        type: 'object',
        // Rows are the tables' own columns, whatever they are: passed through as stored.
        properties: { table: { type: 'string' }, rows: { type: 'array', items: {} } },
        required: ['table', 'rows'],
      },
    },
    notes: { type: 'array', items: { type: 'string' } },
  },
  required: ['customer', 'exportedAt', 'sections', 'notes'],
} as const

const eraseResponse = {
  type: 'object',
  properties: {
    removed: { type: 'object', additionalProperties: { type: 'integer' } },
    erasedWamids: { type: 'integer' },
    queueJobs: {
      type: 'object',
      properties: { removed: { type: ['integer', 'null'] }, error: { type: 'string' } },
      required: ['removed'],
    },
  },
  required: ['removed', 'erasedWamids', 'queueJobs'],
} as const

/**
 * The customer's data rights (LGPD art. 18): export and erase, by WhatsApp id. Registered
 * inside the admin plugin, so its bearer-token guard runs before anything here.
 */
export const privacyRoutes: FastifyPluginAsync<PrivacyRoutesOptions> = async (app, { privacy }) => {
  app.get<{ Params: { waId: string } }>(
    '/contacts/:waId/export',
    { schema: { headers: authHeaders, params, response: { 200: exportResponse, ...errorResponses } } },
    async (request) => privacy.exportCustomer(parseCustomerId(request.params.waId)),
  )

  app.delete<{ Params: { waId: string } }>(
    '/contacts/:waId',
    { schema: { headers: authHeaders, params, response: { 200: eraseResponse, ...errorResponses } } },
    async (request) => privacy.eraseCustomer(parseCustomerId(request.params.waId)),
  )
}
