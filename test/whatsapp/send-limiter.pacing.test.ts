import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { createCloudClient, createLocalSendLimiter, withSendLimiter, type CloudClient } from '../../src/whatsapp/index.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'
import { busiestSecond, senderOf } from '../helpers/pacing.js'

/**
 * A small rate keeps the test short (12 sends at 5/s after a burst of 2 take 2 s), and its
 * 200 ms between slots dwarfs how much one trip to the fake can differ from another.
 */
const RATE = 5
const BURST = 2
const SENDS = 12
const BUSY = '1000000001'
const QUIET = '1000000002'
const WARM_UP = '1000000003'

let fake: FakeGraph
let client: CloudClient

beforeEach(async () => {
  fake = await startFakeGraph()
  const cloud = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 5_000 })
  const limiter = createLocalSendLimiter({ rates: { perSecond: RATE, burst: BURST, overrides: {} } })
  client = withSendLimiter(cloud, limiter, { maxWaitMs: 10_000 })
})

afterEach(async () => {
  await client.close()
  await fake.close()
})

const sendFrom = (phoneNumberId: string, i: number) =>
  client.sendText({ phoneNumberId, to: { waId: `55119000${String(i).padStart(5, '0')}`, userId: undefined, profileName: undefined }, text: `parte ${i}` })

describe('sending through the limited cloud client', () => {
  it('keeps every second at the fake Graph API within the bound, and does not slow another number', async () => {
    // Open the burst's connections first, so connection set-up does not make its sends late
    // while the paced ones that follow are on time (which bunches them at the fake).
    await Promise.all(Array.from({ length: BURST }, (_, i) => sendFrom(WARM_UP, i)))
    const busy = Array.from({ length: SENDS }, (_, i) => sendFrom(BUSY, i))
    // The quiet number's send gets through while the busy one is still being paced.
    await sendFrom(QUIET, 0)
    const busySoFar = fake.requests.filter((r) => senderOf(r) === BUSY).length
    expect(busySoFar).toBeLessThan(SENDS)

    await Promise.all(busy)
    const received = fake.requests.filter((r) => senderOf(r) === BUSY)
    expect(received).toHaveLength(SENDS)
    // The limiter's slots hold rate + burst − 1 per second exactly (send-limiter.test.ts).
    // One more is allowed at the fake: a trip to it varies by tens of ms (the burst's sends,
    // made while the rest are set up, were seen up to 60 ms later than those on a timer),
    // which can pull one send into a window its slot lies just outside of.
    expect(busiestSecond(received)).toBeLessThanOrEqual(RATE + BURST - 1 + 1)
  })
})
