import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pino } from 'pino'
import { secret } from '../../src/config/index.js'
import { SIMULATOR_PHONE_NUMBER_ID } from '../../src/domain/index.js'
import { createCloudClient, createConsoleClient, withSimulatorConsole, type WhatsAppClient } from '../../src/whatsapp/index.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'

describe('the simulator number on the cloud transport', () => {
  let fake: FakeGraph
  let client: WhatsAppClient

  beforeEach(async () => {
    fake = await startFakeGraph()
    const cloud = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token'), timeoutMs: 2_000 })
    client = withSimulatorConsole(cloud, createConsoleClient({ log: pino({ level: 'silent' }) }))
  })
  afterEach(async () => fake.close())

  it('sends and marks read on the console, so nothing reaches Meta', async () => {
    const sent = await client.sendText({ phoneNumberId: SIMULATOR_PHONE_NUMBER_ID, to: { waId: '5500012345678', userId: undefined, profileName: undefined }, text: 'oi' })
    const outbox = await client.send({ phoneNumberId: SIMULATOR_PHONE_NUMBER_ID, to: { waId: '5500012345678', userId: undefined, profileName: undefined }, content: { type: 'text', text: 'oi' } })
    await client.markRead({ phoneNumberId: SIMULATOR_PHONE_NUMBER_ID, wamid: 'wamid.simulator.1' })
    expect(sent.wamid).toMatch(/^wamid\.console\./)
    expect(outbox.wamid).toMatch(/^wamid\.console\./)
    expect(fake.requests).toHaveLength(0)
  })

  it('sends every other number through the cloud', async () => {
    const sent = await client.sendText({ phoneNumberId: '1000000001', to: { waId: '5511900000001', userId: undefined, profileName: undefined }, text: 'oi' })
    expect(sent.wamid).not.toMatch(/^wamid\.console\./)
    expect(fake.requests.filter((r) => r.kind === 'send')).toHaveLength(1)
  })

  it('routes every sending method of the client (a new one must be routed too)', () => {
    const methods = Object.keys(client).filter((k) => typeof (client as unknown as Record<string, unknown>)[k] === 'function')
    // downloadMedia takes a media id, not a business number: the simulator sends text only.
    expect(methods.sort()).toEqual(['downloadMedia', 'markRead', 'send', 'sendText'])
  })
})
