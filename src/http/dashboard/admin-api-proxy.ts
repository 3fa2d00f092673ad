import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'

/**
 * The admin API (`/api/*`) as the dashboard calls it: in process, with a token that never
 * leaves it (see createApps). The dashboard adds no second implementation of any admin
 * action: its buttons call the admin API's routes by their contract names.
 */
export interface AdminApi {
  request(input: { method: 'GET' | 'POST'; url: string; body?: unknown; headers?: Record<string, string> }): Promise<AdminApiAnswer>
}

export interface AdminApiAnswer {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

export interface ProxyRoutesOptions {
  api: AdminApi
}

const id = { type: 'string', pattern: '^[1-9][0-9]{0,15}$' } as const
/**
 * An action's body, or none at all (null): the admin API's learning reject takes no body and
 * its conversation actions an empty one, so their proxies don't ask for `{}` either.
 */
const objectBody = { type: ['object', 'null'], maxProperties: 32 } as const
const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128, pattern: '^[\\x21-\\x7e]+$' } },
} as const

/** Conversation actions of the agents API (issue #9, milestone C). */
export const CONVERSATION_ACTIONS = ['handoff', 'messages', 'release', 'resolve'] as const

/**
 * The inbox's routes, open to every session: conversations, one conversation, and the four
 * actions. The acting agent's name is the session's, whatever the body says.
 */
export const inboxProxyRoutes: FastifyPluginAsync<ProxyRoutesOptions> = async (app, { api }) => {
  app.get('/api/conversations', async (request, reply) => forward(api, request, reply, `/api/conversations${query(request)}`))
  app.get<{ Params: { id: string } }>('/api/conversations/:id', { schema: { params: { type: 'object', properties: { id } } } }, async (request, reply) =>
    forward(api, request, reply, `/api/conversations/${request.params.id}`),
  )
  app.post<{ Params: { id: string; action: string }; Body: Record<string, unknown> | null | undefined }>(
    '/api/conversations/:id/:action',
    {
      schema: {
        params: { type: 'object', properties: { id, action: { type: 'string', enum: [...CONVERSATION_ACTIONS] } } },
        body: objectBody,
        headers: idempotencyHeaders,
      },
    },
    async (request, reply) => {
      const body = { ...withoutCsrf(request.body), agent: request.dashboardSession!.agent }
      return forward(api, request, reply, `/api/conversations/${request.params.id}/${request.params.action}`, body)
    },
  )
}

/** Reports, learning and operations: admin sessions only (the caller installs that guard). */
export const adminProxyRoutes: FastifyPluginAsync<ProxyRoutesOptions> = async (app, { api }) => {
  for (const path of ['/api/reports/nps', '/api/learning/proposals', '/api/queue/metrics', '/api/metrics/http', '/api/alerts']) {
    app.get(path, async (request, reply) => forward(api, request, reply, `${path}${query(request)}`))
  }
  app.post<{ Params: { id: string; action: string }; Body: Record<string, unknown> | null | undefined }>(
    '/api/learning/proposals/:id/:action',
    { schema: { params: { type: 'object', properties: { id, action: { type: 'string', enum: ['approve', 'reject'] } } }, body: objectBody } },
    async (request, reply) =>
      forward(api, request, reply, `/api/learning/proposals/${request.params.id}/${request.params.action}`, withoutCsrf(request.body)),
  )
}

async function forward(api: AdminApi, request: FastifyRequest, reply: FastifyReply, url: string, body?: unknown): Promise<FastifyReply> {
  const key = request.headers['idempotency-key']
  const answer = await api.request({
    method: request.method === 'POST' ? 'POST' : 'GET',
    url,
    ...(body === undefined ? {} : { body }),
    ...(typeof key === 'string' ? { headers: { 'idempotency-key': key } } : {}),
  })
  for (const name of ['content-type', 'retry-after', 'location']) {
    const value = answer.headers[name]
    if (value !== undefined) reply.header(name, value)
  }
  return reply.code(answer.statusCode).send(answer.body)
}

/** The query string as the client sent it; the admin API validates it. */
function query(request: FastifyRequest): string {
  const at = request.url.indexOf('?')
  return at < 0 ? '' : request.url.slice(at)
}

function withoutCsrf(body: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const { _csrf: _ignored, ...rest } = body ?? {}
  return rest
}

/** An {@link AdminApi} over `app.inject`, authenticated with the process's internal token. */
export function injectAdminApi(app: () => FastifyInstance, token: string): AdminApi {
  return {
    async request(input) {
      const res = await app().inject({
        method: input.method,
        url: input.url,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...input.headers },
        ...(input.body === undefined ? {} : { payload: input.body as Record<string, unknown> }),
      })
      return { statusCode: res.statusCode, headers: res.headers, body: res.body }
    },
  }
}
