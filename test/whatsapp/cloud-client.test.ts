import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { createCloudClient, type WhatsAppClient } from '../../src/whatsapp/index.js'
import { graphError, startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'

const TOKEN = 'test-token-placeholder'
const PHONE_NUMBER_ID = '1000000001'
const customer = { waId: '5511900000001', userId: undefined, profileName: undefined }

let fake: FakeGraph
let client: WhatsAppClient

beforeEach(async () => {
  fake = await startFakeGraph()
  client = createCloudClient({ apiBaseUrl: fake.url, token: secret(TOKEN), timeoutMs: 2_000 })
})

afterEach(async () => {
  await fake.close()
})

async function sendError(): Promise<WhatsAppApiError> {
  const err = await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Olá!' }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(WhatsAppApiError)
  return err as WhatsAppApiError
}

describe('cloud client sendText', () => {
  it('posts the text to the phone number\'s messages endpoint with the bearer token', async () => {
    const result = await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Olá! Como posso ajudar?' })

    expect(result).toEqual({ wamid: 'wamid.fake.1' })
    const [request] = await fake.waitForSends(1)
    expect(request).toMatchObject({ method: 'POST', path: '/v21.0/1000000001/messages' })
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`)
    expect(request?.headers['content-type']).toBe('application/json')
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511900000001',
      type: 'text',
      text: { body: 'Olá! Como posso ajudar?', preview_url: false },
    })
  })

  it('quotes the inbound message and passes the callback data', async () => {
    await client.sendText({
      phoneNumberId: PHONE_NUMBER_ID,
      to: customer,
      text: 'Respondendo',
      replyToWamid: 'wamid.IN0001',
      bizOpaqueCallbackData: 'outbox-42',
    })
    expect(fake.requests[0]?.body).toMatchObject({ context: { message_id: 'wamid.IN0001' }, biz_opaque_callback_data: 'outbox-42' })
  })

  it('sends a text longer than 4,096 chars as given, since splitting is the caller\'s job', async () => {
    const text = 'x'.repeat(5_000)
    await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text })
    expect(fake.requests).toHaveLength(1)
    expect((fake.requests[0]?.body as { text: { body: string } }).text.body).toBe(text)
  })

  it('addresses a customer known only by a business-scoped user id with recipient', async () => {
    const byUserId = { waId: undefined, userId: 'BR.0000000000000000001', profileName: undefined }
    await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: byUserId, text: 'Oi' })
    const body = fake.requests[0]?.body as Record<string, unknown>
    expect(body.recipient).toBe('BR.0000000000000000001')
    expect(body).not.toHaveProperty('to')
  })

  it('refuses a customer with neither waId nor userId without calling Meta', async () => {
    const nobody = { waId: undefined, userId: undefined, profileName: undefined }
    const err = await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: nobody, text: 'Oi' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ retryable: false })
    expect(fake.requests).toEqual([])
  })

  it('treats an answer without a message id as retryable', async () => {
    fake.failNext({ status: 200, body: { messaging_product: 'whatsapp', messages: [] } })
    expect(await sendError()).toMatchObject({ retryable: true, httpStatus: 200 })
  })
})

describe('cloud client error mapping', () => {
  it.each([
    [130429, 400, 1_000],
    [131056, 400, 6_000],
    [80007, 400, 60_000],
  ])('retries Meta code %i after a pause, without treating it as a failure', async (code, status, retryAfterMs) => {
    fake.failNext(graphError(status, code, 'Rate limit hit'))
    expect(await sendError()).toMatchObject({ metaCode: code, httpStatus: status, retryable: true, retryAfterMs })
  })

  it('honours Retry-After on an HTTP 429 without a known code', async () => {
    fake.failNext({ status: 429, body: 'slow down', headers: { 'retry-after': '3' } })
    expect(await sendError()).toMatchObject({ httpStatus: 429, retryable: true, retryAfterMs: 3_000 })
  })

  it.each([
    [131047, 'Re-engagement message'],
    [131026, 'Message undeliverable'],
    [131051, 'Unsupported message type'],
    [100, 'Invalid parameter'],
  ])('does not retry Meta code %i (%s)', async (code, title) => {
    fake.failNext(graphError(400, code, title))
    const err = await sendError()
    expect(err).toMatchObject({ metaCode: code, httpStatus: 400, retryable: false, retryAfterMs: undefined })
  })

  it('does not retry an unknown 4xx', async () => {
    fake.failNext(graphError(401, 190, 'Error validating access token'))
    expect(await sendError()).toMatchObject({ metaCode: 190, retryable: false })
  })

  it('retries an HTTP 500, even one that is not JSON', async () => {
    fake.failNext({ status: 500, body: '<html>bad gateway</html>' })
    expect(await sendError()).toMatchObject({ httpStatus: 500, retryable: true, metaCode: undefined })
  })

  it('names the Meta code in the message and keeps the title apart, never the token or a phone number', async () => {
    fake.failNext(graphError(400, 131047, `Re-engagement message to 5511900000001 with ${TOKEN}: Olá`))
    const err = await sendError()
    // The message is logged; Meta's title can quote the request, so it is stored, not logged.
    expect(err.message).toBe('WhatsApp send failed: HTTP 400, Meta code 131047')
    expect(err.metaTitle).toContain('Re-engagement message')
    expect(err.metaTitle).not.toContain('5511900000001')
    expect(err.metaTitle).not.toContain(TOKEN)
  })

  it('turns a call that never answers into a retryable timeout', async () => {
    const quick = createCloudClient({ apiBaseUrl: fake.url, token: secret(TOKEN), timeoutMs: 100 })
    fake.failNext({ hang: true })
    const err = await quick.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ retryable: true, message: 'WhatsApp send timed out after 100 ms' })
  })

  it('stops when the caller aborts', async () => {
    fake.failNext({ hang: true })
    const controller = new AbortController()
    const pending = client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi', signal: controller.signal })
    controller.abort()
    await expect(pending).rejects.toMatchObject({ retryable: true, message: 'WhatsApp send was aborted by the caller' })
  })

  it('retries when the server cannot be reached', async () => {
    await fake.close()
    expect(await sendError()).toMatchObject({ retryable: true, message: expect.stringMatching(/failed before a response/) })
  })
})

describe('cloud client markRead', () => {
  it('posts a read status for the message', async () => {
    await client.markRead({ phoneNumberId: PHONE_NUMBER_ID, wamid: 'wamid.IN0002' })
    expect(fake.requests).toEqual([
      expect.objectContaining({
        kind: 'mark-read',
        path: '/v21.0/1000000001/messages',
        body: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN0002' },
      }),
    ])
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('maps a failure like a send', async () => {
    fake.failNext(graphError(400, 100, 'Invalid parameter'), { kind: 'mark-read' })
    const err = await client.markRead({ phoneNumberId: PHONE_NUMBER_ID, wamid: 'wamid.X' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ metaCode: 100, retryable: false, message: expect.stringMatching(/^WhatsApp mark-read failed/) })
  })
})

describe('cloud client downloadMedia', () => {
  it('looks the media up, then downloads it, with the bearer token on both calls', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
    fake.addMedia('3000000000000011', { bytes, mimeType: 'image/jpeg' })

    const media = await client.downloadMedia('3000000000000011', { maxBytes: 1_000 })

    expect(media).toEqual({ bytes, mimeType: 'image/jpeg' })
    expect(fake.requests.map((r) => [r.kind, r.method, r.path, r.headers.authorization])).toEqual([
      ['media-lookup', 'GET', '/v21.0/3000000000000011', `Bearer ${TOKEN}`],
      ['media-download', 'GET', '/media-download/3000000000000011', `Bearer ${TOKEN}`],
    ])
  })

  it('fails without retrying when Meta does not know the media id', async () => {
    const err = await client.downloadMedia('3000000000000099', { maxBytes: 1_000 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ metaCode: 100, httpStatus: 404, retryable: false })
  })

  it('refuses to send the token to a media url that is not http(s)', async () => {
    fake.setHandler((r) => (r.kind === 'media-lookup' ? { body: { url: 'ftp://127.0.0.1/media', mime_type: 'image/jpeg' } } : undefined))
    const err = await client.downloadMedia('3000000000000011', { maxBytes: 1_000 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('expected one of: https:, http:') })
    expect(fake.requests.map((r) => r.kind)).toEqual(['media-lookup'])
  })
})
