import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Secret } from '../config/index.js'
import { BadSignatureError, VerifyTokenError } from '../errors.js'
import { isValidSignature, type Ingest } from '../ingest/index.js'
import { errorResponse } from './errors.js'

export interface WebhookRoutesOptions {
  ingest: Ingest
  /** Without it signatures are not checked (development only; main refuses this in production). */
  appSecret: Secret | undefined
  verifyToken: Secret | undefined
  /** Told of every POST answered (metrics, the webhook_5xx alert); status and time only. */
  onAnswered?: (status: number, seconds: number) => void
  /** Told when parts of a delivery were quarantined (the quarantine alert); how many only. */
  onQuarantined?: (parts: number) => void
}

/**
 * Meta's `hub.challenge`: "an int you must pass back" (Graph API webhooks, verification
 * requests), such as 1158201444. 32 digits leaves room for a longer one and still bounds the echo.
 */
const CHALLENGE_PATTERN = '^[0-9]{1,32}$'

/** Meta's maximum webhook payload. */
export const WEBHOOK_BODY_LIMIT_BYTES = 3 * 1024 * 1024

/**
 * `GET` and `POST /webhooks/whatsapp`. The raw-body parser is registered inside this plugin
 * so the signature is checked over the exact bytes Meta signed, and no other route sees it.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, options) => {
  // Only JSON reaches the webhook (anything else: 415), and as raw bytes.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, (_req, body, done) =>
    done(null, body),
  )

  const onAnswered = options.onAnswered
  if (onAnswered !== undefined) {
    // In this plugin only: the webhook's deliveries, not health checks or admin calls.
    app.addHook('onResponse', async (request, reply) => {
      if (request.method === 'POST') onAnswered(reply.statusCode, reply.elapsedTime / 1000)
    })
  }

  app.get<{ Querystring: { 'hub.mode'?: string; 'hub.verify_token'?: string; 'hub.challenge'?: string } }>(
    '/webhooks/whatsapp',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            'hub.mode': { type: 'string', maxLength: 64 },
            'hub.verify_token': { type: 'string', maxLength: 1024 },
            // Echoed as the answer: Meta's challenge is an integer, so only a bounded run of
            // digits is; anything else (`<script>…`) is a 400, never reflected.
            'hub.challenge': { type: 'string', pattern: CHALLENGE_PATTERN },
          },
        },
        response: { 200: { type: 'string' }, '4xx': errorResponse },
      },
    },
    async (request, reply) => {
      const q = request.query
      if (q['hub.mode'] !== 'subscribe' || q['hub.challenge'] === undefined || !sameSecret(q['hub.verify_token'], options.verifyToken)) {
        // Meta's dashboard only says the URL "could not be validated": the log says why (never the token).
        const reason = options.verifyToken === undefined ? 'WHATSAPP_VERIFY_TOKEN is not set'
          : q['hub.mode'] !== 'subscribe' || q['hub.challenge'] === undefined ? 'not a subscribe handshake with a challenge'
            : 'hub.verify_token does not match WHATSAPP_VERIFY_TOKEN'
        request.log.warn({ reason }, 'webhook verification refused')
        throw new VerifyTokenError(options.verifyToken === undefined ? 'WHATSAPP_VERIFY_TOKEN is not set: the verification handshake cannot succeed' : undefined)
      }
      return reply.type('text/plain').send(q['hub.challenge'])
    },
  )

  app.post(
    '/webhooks/whatsapp',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      schema: {
        headers: {
          type: 'object',
          properties: { 'x-hub-signature-256': { type: 'string', maxLength: 200 } },
        },
        response: {
          200: {
            type: 'object',
            properties: { accepted: { type: 'integer' }, duplicates: { type: 'integer' }, statuses: { type: 'integer' }, quarantined: { type: 'integer' } },
          },
          '4xx': errorResponse,
          '5xx': errorResponse,
        },
      },
    },
    async (request) => {
      const raw = request.body
      if (!Buffer.isBuffer(raw)) throw new BadSignatureError('expected a JSON body (Content-Type: application/json)')
      if (options.appSecret !== undefined) {
        const header = request.headers['x-hub-signature-256']
        if (!isValidSignature(raw, typeof header === 'string' ? header : undefined, options.appSecret.reveal())) {
          // A wrong WHATSAPP_APP_SECRET refuses every delivery of Meta's: the log has to say so.
          request.log.warn({ reason: typeof header === 'string' ? 'X-Hub-Signature-256 does not match WHATSAPP_APP_SECRET' : 'no X-Hub-Signature-256 header' }, 'webhook delivery refused')
          throw new BadSignatureError()
        }
      }
      const result = await options.ingest.accept(raw)
      if (result.quarantined > 0) options.onQuarantined?.(result.quarantined)
      return {
        accepted: result.accepted.length,
        duplicates: result.duplicates,
        statuses: result.statuses,
        quarantined: result.quarantined,
      }
    },
  )
}

function sameSecret(given: string | undefined, expected: Secret | undefined): boolean {
  if (given === undefined || expected === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected.reveal())
  return a.length === b.length && timingSafeEqual(a, b)
}
