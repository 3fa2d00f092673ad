import { signBody } from '../../src/ingest/index.js'

export const BENCH_APP_SECRET = 'bench-app-secret'
export const BENCH_PHONE_NUMBER_ID = '1000000001'

export interface SignedBody {
  body: string
  signature: string
}

/** One signed webhook delivery from customer `from` carrying `messages`, as Meta sends it. */
export function signedWebhook(from: string, messages: unknown[], phoneNumberId = BENCH_PHONE_NUMBER_ID): SignedBody {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '200000000000001', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '5511300000000', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'Cliente' }, wa_id: from }],
      messages,
    } }] }],
  })
  return { body, signature: signBody(body, BENCH_APP_SECRET) }
}

/** A text message as it appears in a webhook, stamped now. */
export function textMessage(from: string, id: string, text: string) {
  return { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }
}

/** An image message as it appears in a webhook, stamped now; Meta sends the caption only when there is one. */
export function imageMessage(from: string, id: string, media: { id: string; mimeType: string; sha256: string }, caption?: string) {
  return {
    from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'image',
    image: { id: media.id, mime_type: media.mimeType, sha256: media.sha256, ...(caption === undefined ? {} : { caption }) },
  }
}

/**
 * Realistic webhook bodies: mostly one text message, some batches of three, some images,
 * from a pool of customers, each with a wamid never used before (a redelivery would be a
 * cheaper no-op and flatter the figures).
 */
export function createPayloadFactory(run: string, customers = 2_000) {
  let n = 0
  const message = (from: string) => {
    n++
    const id = `wamid.bench.${run}.${n}`
    return n % 20 === 0
      ? { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'image', image: { id: `media.${n}`, mime_type: 'image/jpeg', sha256: 'x', caption: 'segue o boleto' } }
      : textMessage(from, id, 'Oi, preciso da segunda via do boleto deste mês, por favor')
  }
  return function next(): SignedBody {
    const from = `55119${String(n % customers).padStart(8, '0')}`
    const count = n % 10 === 9 ? 3 : 1
    return signedWebhook(from, Array.from({ length: count }, () => message(from)))
  }
}
