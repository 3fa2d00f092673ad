import type { FastifyBaseLogger, FastifyError, FastifyPluginAsync } from 'fastify'
import type { Logger } from 'pino'
import { z } from 'zod'
import { BadRequestError, BodyTooLargeError, ConversationStateError, NotFoundError, OutsideServiceWindowError } from '../errors.js'
import { outboxWakeUp, type Dispatcher } from '../queues/index.js'
import {
  applyConversationAction, markLearningDue, MAX_IDEMPOTENCY_KEY_CHARS, queueAgentMessage, SERVICE_WINDOW_MS,
  type ConversationAction, type Db,
} from '../store/index.js'
import { authHeaders } from './admin-auth.js'
import { errorResponses } from './errors.js'

export interface AgentRoutesOptions {
  db: Db
  /** Wakes the conversation's outbox after an agent's message is committed. */
  dispatcher: Dispatcher
  /** NPS_DELAY_MS, or undefined when NPS_ENABLED=false: a resolve then plans no survey. */
  surveyDelayMs: number | undefined
  log: Logger
  /** @defaultValue () => new Date() */
  now?: () => Date
}

/** Longest body an agent route takes: a 4,096-character text in 4-byte characters, escaped, fits. */
export const AGENT_BODY_LIMIT_BYTES = 64 * 1024
/** Meta's limit on a text message's body. */
export const MAX_AGENT_TEXT_CHARS = 4096
export const MAX_AGENT_NAME_CHARS = 100

const params = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
  required: ['id'],
} as const

/**
 * Half of a UTF-16 pair alone is no character: stored, it would become U+FFFD, and the
 * customer would get another message than the one accepted.
 */
const wellFormed = (s: string) => s.isWellFormed()

/**
 * The bodies are parsed here with zod rather than by the route schema: Fastify's Ajv drops
 * unknown keys (and coerced body types, until src/http/body-validation.ts); a request with no
 * body at all is an empty one. Strict: an unknown field is a 400, never silently ignored.
 */
const agentName = z
  .string()
  .min(1)
  .max(MAX_AGENT_NAME_CHARS)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'one line of printable characters')
  .refine(wellFormed, 'a lone UTF-16 surrogate is not a character')
const actionBody = z.object({ agent: agentName.optional() }).strict()
const messageBody = z
  .object({
    // No control characters but tab and line breaks; blank or oversized text is refused by the outbox's schema.
    text: z
      .string()
      .min(1)
      .max(MAX_AGENT_TEXT_CHARS)
      .regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'no control characters')
      .refine(wellFormed, 'a lone UTF-16 surrogate is not a character')
      .optional(),
    // Its shape is checked by the outbox's schema (store/outbound-content.ts), one source of truth.
    template: z.record(z.string(), z.unknown()).optional(),
    agent: agentName.optional(),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.template === undefined), 'expected exactly one of "text" (a message) or "template" ({ name, language, parameters })')

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {})
  if (r.success) return r.data
  throw new BadRequestError(`invalid body: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`)
}

const idempotencyHeaders = {
  type: 'object',
  properties: {
    ...authHeaders.properties,
    'idempotency-key': { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_CHARS, pattern: '^[\\x21-\\x7e]+$' },
  },
} as const

const actionResponse = {
  type: 'object',
  properties: { id: { type: 'integer' }, status: { type: 'string' }, previous: { type: 'string' } },
  required: ['id', 'status', 'previous'],
} as const

const messageResponse = {
  type: 'object',
  properties: { outboxId: { type: 'integer' }, duplicate: { type: 'boolean' } },
  required: ['outboxId'],
} as const

/**
 * The agents' API (issue #9 milestone C): take a conversation, write to the customer, give it
 * back to the bot, resolve it. Registered inside the admin plugin, behind its token. Every
 * action is recorded in `conversation_events` with the agent's name (default "agent"); an
 * action the status does not accept is a 409 with the lifecycle's code, never a silent 200.
 */
export const agentRoutes: FastifyPluginAsync<AgentRoutesOptions> = async (app, options) => {
  const now = options.now ?? (() => new Date())

  // A body over the limit is told the limit; the admin plugin's handler answers it, and
  // Fastify's other refusals of a body (not JSON: 400, a type it does not parse: 415).
  app.setErrorHandler((err: FastifyError) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new BodyTooLargeError(AGENT_BODY_LIMIT_BYTES)
    throw err
  })

  /**
   * What follows a resolution (as workers/lifecycle.ts does after the bot's): the survey's
   * wake-up at its due time and a learning run. The rows are committed first; a lost wake-up
   * is the reconciler's (nps_surveys.due_at, learning_records.due_at), never the agent's error.
   */
  async function afterAgentResolve(id: number, surveyDueAt: Date | undefined, log: FastifyBaseLogger): Promise<void> {
    try {
      await markLearningDue(options.db, id, now())
      await options.dispatcher.dispatch([
        ...(surveyDueAt === undefined ? [] : [{ queue: 'nps-survey' as const, conversationId: id, runAt: surveyDueAt }]),
        { queue: 'learning-tasks' as const, conversationId: id },
      ])
    } catch (err) {
      log.warn({ err, conversationId: id }, 'resolve wake-ups failed; the reconciler will send them')
    }
  }

  const action = (name: ConversationAction) =>
    app.post<{ Params: { id: number }; Body: unknown }>(
      `/conversations/:id/${name}`,
      {
        bodyLimit: AGENT_BODY_LIMIT_BYTES,
        schema: { headers: authHeaders, params, response: { 200: actionResponse, ...errorResponses } },
      },
      async (request) => {
        const id = request.params.id
        const body = parseBody(actionBody, request.body)
        const r = await applyConversationAction(options.db, {
          conversationId: id,
          action: name,
          agent: body.agent,
          surveyDelayMs: options.surveyDelayMs,
          now: now(),
        })
        if (r.kind === 'notFound') throw new NotFoundError(`conversation ${id} does not exist`)
        if (r.kind === 'wrongState') throw new ConversationStateError(r.code, `cannot ${name} conversation ${id}: its status is '${r.status}'`)
        // fromStatus/toStatus, as the lifecycle's lines: `from`/`to` are redacted (they name a phone number elsewhere).
        request.log.info({ conversationId: id, action: name, fromStatus: r.previous, toStatus: r.status, surveyId: r.surveyId }, 'agent action')
        if (name === 'resolve' && r.changed) await afterAgentResolve(id, r.surveyDueAt, request.log)
        return { id, status: r.status, previous: r.previous }
      },
    )
  action('handoff')
  action('release')
  action('resolve')

  app.post<{ Params: { id: number }; Body: unknown; Headers: { 'idempotency-key'?: string } }>(
    '/conversations/:id/messages',
    {
      bodyLimit: AGENT_BODY_LIMIT_BYTES,
      schema: { headers: idempotencyHeaders, params, response: { 202: messageResponse, ...errorResponses } },
    },
    async (request, reply) => {
      const id = request.params.id
      const body = parseBody(messageBody, request.body)
      const content = body.text !== undefined ? { type: 'text', text: body.text } : { type: 'template', template: body.template }
      const at = now()
      const r = await queueAgentMessage(options.db, {
        conversationId: id,
        content,
        agent: body.agent,
        idempotencyKey: request.headers['idempotency-key'],
        now: at,
      })
      if (r.kind === 'notFound') throw new NotFoundError(`conversation ${id} does not exist`)
      if (r.kind === 'outsideWindow') throw new OutsideServiceWindowError(SERVICE_WINDOW_MS)
      if (r.kind === 'queued' || r.status === 'pending') {
        // After the commit. A failed wake-up leaves the row pending: the reconciler sends it.
        try {
          await options.dispatcher.dispatch([outboxWakeUp(id, at)])
        } catch (err) {
          request.log.warn({ err, conversationId: id, outboxId: r.outboxId }, 'outbox wake-up failed; the reconciler will send it')
        }
      }
      request.log.info({ conversationId: id, outboxId: r.outboxId, duplicate: r.kind === 'duplicate', type: content.type }, 'agent message queued')
      return reply.code(202).send({ outboxId: r.outboxId, duplicate: r.kind === 'duplicate' })
    },
  )
}
