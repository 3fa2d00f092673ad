import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Secret } from '../../config/index.js'
import { MAX_TEXT_CHARS, SIMULATOR_CUSTOMER_PATTERN, SIMULATOR_PHONE_NUMBER_ID } from '../../domain/index.js'
import { SimulatorDisabledError, SimulatorIngestError } from '../../errors.js'
import { signBody } from '../../ingest/index.js'
import { listConversations, type Db } from '../../store/index.js'
import { errorResponses } from '../errors.js'

/** Posts a raw webhook body to our own `POST /webhooks/whatsapp` (in process). */
export type WebhookPoster = (raw: string, signature: string | undefined) => Promise<{ statusCode: number; body: string }>

export interface SimulatorRoutesOptions {
  enabled: boolean
  db: Db
  /** WHATSAPP_APP_SECRET: the simulated delivery is signed like Meta's, on the server only. */
  appSecret: Secret | undefined
  postWebhook: WebhookPoster
}

interface SimulatedMessage {
  customer: string
  text: string
}

const customer = { type: 'string', pattern: SIMULATOR_CUSTOMER_PATTERN } as const
const conversationAnswer = {
  type: 'object',
  properties: { conversationId: { type: ['integer', 'null'] } },
  required: ['conversationId'],
} as const

/**
 * The simulator (docs/decisions/0026): the browser sends only the text; this route builds
 * the delivery Meta would send for the reserved simulator number, signs it with the app
 * secret (which never reaches the browser) and posts it to the real webhook route, so it goes
 * through signature check, parsing, ingest, queues, AI and outbox like any other message.
 * Replies go to the console transport, whatever WHATSAPP_TRANSPORT says.
 */
export const simulatorRoutes: FastifyPluginAsync<SimulatorRoutesOptions> = async (app, options) => {
  app.addHook('onRequest', async () => {
    if (!options.enabled) throw new SimulatorDisabledError()
  })

  app.post<{ Body: SimulatedMessage }>(
    '/api/simulator/messages',
    {
      schema: {
        body: {
          type: 'object',
          required: ['customer', 'text'],
          maxProperties: 3,
          properties: { customer, text: { type: 'string', minLength: 1, maxLength: MAX_TEXT_CHARS }, _csrf: { type: 'string' } },
        },
        response: { 202: conversationAnswer, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { customer: waId, text } = request.body
      const raw = JSON.stringify(simulatedDelivery(waId, text, new Date()))
      const signature = options.appSecret === undefined ? undefined : signBody(raw, options.appSecret.reveal())
      const answer = await options.postWebhook(raw, signature)
      if (answer.statusCode !== 200) {
        throw new SimulatorIngestError(`the webhook answered ${answer.statusCode} ${codeOf(answer.body)}; expected 200`)
      }
      const conversationId = await findConversation(options.db, waId)
      return reply.code(202).send({ conversationId })
    },
  )

  app.get<{ Querystring: { customer: string } }>(
    '/api/simulator/conversation',
    { schema: { querystring: { type: 'object', required: ['customer'], properties: { customer } }, response: { 200: conversationAnswer, ...errorResponses } } },
    async (request) => ({ conversationId: await findConversation(options.db, request.query.customer) }),
  )
}

/** A text message exactly as Meta's webhook shapes it, on the simulator's number. */
export function simulatedDelivery(waId: string, text: string, now: Date): unknown {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: SIMULATOR_PHONE_NUMBER_ID,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: SIMULATOR_PHONE_NUMBER_ID, phone_number_id: SIMULATOR_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: 'Simulador' }, wa_id: waId }],
              messages: [
                { from: waId, id: `wamid.simulator.${randomUUID()}`, timestamp: String(Math.floor(now.getTime() / 1000)), type: 'text', text: { body: text } },
              ],
            },
          },
        ],
      },
    ],
  }
}

async function findConversation(db: Db, waId: string): Promise<number | null> {
  const rows = await listConversations(db, { contact: waId, limit: 10 })
  return rows.find((r) => r.phoneNumberId === SIMULATOR_PHONE_NUMBER_ID)?.id ?? null
}

function codeOf(body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code
    return typeof code === 'string' ? code : ''
  } catch {
    return ''
  }
}
