import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { createCloudClient, withSendObserver, type WhatsAppClient } from '../../src/whatsapp/index.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'

const customer = { waId: '5511900000001', userId: undefined, profileName: undefined }
const send = (client: WhatsAppClient) => client.sendText({ phoneNumberId: '1000000001', to: customer, text: 'Olá!' })

describe('send observer', () => {
  let fake: FakeGraph
  let events: string[]
  let client: WhatsAppClient

  beforeEach(async () => {
    fake = await startFakeGraph()
    events = []
    const cloud = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 2_000 })
    client = withSendObserver(cloud, { sent: () => events.push('sent'), refused: (kind, code) => events.push(`${kind}:${code}`) })
  })
  afterEach(async () => {
    await fake.close()
  })

  it('counts a message Meta accepted', async () => {
    await send(client)
    expect(events).toEqual(['sent'])
  })

  it.each([
    [130429, 'rate_limit'],
    [131056, 'rate_limit'],
    [131048, 'quality'],
    [368, 'quality'],
  ])('names Meta code %i a %s refusal and still rethrows it', async (code, kind) => {
    fake.failNext({ status: 400, body: { error: { code, message: 'refused' } } })
    await expect(send(client)).rejects.toBeInstanceOf(WhatsAppApiError)
    expect(events).toEqual([`${kind}:${code}`])
  })

  it('says nothing of a refusal about one message (131047, outside the window)', async () => {
    fake.failNext({ status: 400, body: { error: { code: 131047, message: 'Re-engagement message' } } })
    await expect(send(client)).rejects.toBeInstanceOf(WhatsAppApiError)
    expect(events).toEqual([])
  })
})
