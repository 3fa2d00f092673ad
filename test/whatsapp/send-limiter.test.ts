import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { slotIntervalUs, type SendRates } from '../../src/domain/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { createCloudClient, createLocalSendLimiter, withSendLimiter, type SendLimiter } from '../../src/whatsapp/index.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'
import { busiestWindow } from '../helpers/pacing.js'
import { followTimers } from '../helpers/timers.js'

const NUMBER = '1000000001'
const OTHER = '1000000002'
const customer = { waId: '5511900000001', userId: undefined, profileName: undefined }
const rates = (perSecond: number, burst: number, overrides: Record<string, number> = {}): SendRates => ({ perSecond, burst, overrides })

/** A clock the test moves by hand, in milliseconds. */
function manualClock(startMs = 1_000) {
  let t = startMs
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

describe('local send limiter (GCRA)', () => {
  it('never puts more than rate + burst − 1 slots in any one-second window, nor more than burst at one instant', async () => {
    const call = fc.record({ advanceUs: fc.integer({ min: 0, max: 250_000 }), maxWaitMs: fc.integer({ min: 0, max: 3_000 }) })
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 20 }), fc.array(call, { maxLength: 400 }), async (perSecond, burst, calls) => {
        let nowUs = 5_000_000
        const limiter = createLocalSendLimiter({ rates: rates(perSecond, burst), now: () => nowUs / 1_000 })
        const slots: number[] = []
        for (const c of calls) {
          nowUs += c.advanceUs
          const r = await limiter.reserve(NUMBER, c.maxWaitMs)
          if (r.reserved) {
            expect(r.waitMs).toBeLessThanOrEqual(c.maxWaitMs)
            slots.push(nowUs + Math.round(r.waitMs * 1_000))
          } else {
            expect(r.waitMs).toBeGreaterThan(c.maxWaitMs)
          }
        }
        expect(busiestWindow(slots, 1_000_000)).toBeLessThanOrEqual(perSecond + burst - 1)
        expect(busiestWindow(slots, 1)).toBeLessThanOrEqual(burst)
      }),
      { numRuns: 300 },
    )
  })

  it('gives the burst at once, then one slot per interval', async () => {
    const clock = manualClock()
    const limiter = createLocalSendLimiter({ rates: rates(80, 3), now: clock.now })
    const waits = []
    for (let i = 0; i < 6; i++) waits.push((await limiter.reserve(NUMBER, 10_000)).waitMs)
    expect(waits).toEqual([0, 0, 0, 12.5, 25, 37.5])
    clock.advance(1_000)
    expect(await limiter.reserve(NUMBER, 0)).toEqual({ reserved: true, waitMs: 0 })
  })

  it('takes nothing when the wait would be too long, and says how long it would be', async () => {
    const limiter = createLocalSendLimiter({ rates: rates(2, 1), now: manualClock().now })
    await limiter.reserve(NUMBER, 0)
    expect(await limiter.reserve(NUMBER, 499)).toEqual({ reserved: false, waitMs: 500 })
    expect(await limiter.reserve(NUMBER, 499)).toEqual({ reserved: false, waitMs: 500 })
    expect(await limiter.reserve(NUMBER, 500)).toEqual({ reserved: true, waitMs: 500 })
  })

  it('paces each number on its own, at its override rate, and leaves rate-0 numbers alone', async () => {
    const limiter = createLocalSendLimiter({ rates: rates(1, 1, { [OTHER]: 100, '3': 0 }), now: manualClock().now })
    await limiter.reserve(NUMBER, 0)
    expect(await limiter.reserve(NUMBER, 0)).toMatchObject({ reserved: false, waitMs: 1_000 })
    expect(await limiter.reserve(OTHER, 0)).toEqual({ reserved: true, waitMs: 0 })
    expect(await limiter.reserve(OTHER, 100)).toEqual({ reserved: true, waitMs: slotIntervalUs(100) / 1_000 })
    for (let i = 0; i < 5; i++) expect(await limiter.reserve('3', 0)).toEqual({ reserved: true, waitMs: 0 })
  })
})

describe('withSendLimiter', () => {
  let fake: FakeGraph
  beforeEach(async () => {
    fake = await startFakeGraph()
  })
  afterEach(async () => {
    await fake.close()
  })

  /** A cloud client on the fake, limited to one send per second on a clock that stands still. */
  function limitedClient(maxWaitMs: number): { limiter: SendLimiter; client: ReturnType<typeof createCloudClient> } {
    const limiter = createLocalSendLimiter({ rates: rates(1, 1), now: manualClock().now })
    const cloud = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 2_000 })
    return { limiter, client: withSendLimiter(cloud, limiter, { maxWaitMs }) }
  }
  const send = (signal?: AbortSignal) => ({ phoneNumberId: NUMBER, to: customer, text: 'Olá!', signal })

  it('throws a retryable error with retryAfterMs, and sends nothing, when the slot is further than maxWaitMs', async () => {
    const { client } = limitedClient(200)
    await client.sendText(send())
    const err = await client.sendText(send()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ code: 'ATD_WHATSAPP_API', retryable: true, retryAfterMs: 1_000 })
    expect(fake.requests.filter((r) => r.kind === 'send')).toHaveLength(1)
    await client.close()
  })

  it('paces outbox sends (templates, agent messages) on the same slots as replies', async () => {
    const { client } = limitedClient(200)
    await client.sendText(send())
    const template = { type: 'template' as const, template: { name: 'pesquisa', language: 'pt_BR', parameters: [] } }
    const err = await client.send({ phoneNumberId: NUMBER, to: customer, content: template }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'ATD_WHATSAPP_API', retryable: true, retryAfterMs: 1_000 })
    expect(fake.requests.filter((r) => r.kind === 'send')).toHaveLength(1)
    await client.close()
  })

  it('gives up the wait for its slot when the call is aborted, clearing its timer and sending nothing', async () => {
    const { limiter, client } = limitedClient(60_000)
    await limiter.reserve(NUMBER, 0) // the one slot of this second
    const controller = new AbortController()
    const timers = followTimers()
    try {
      const sending = timers.during(() => client.sendText(send(controller.signal)).catch((e: unknown) => e))
      await new Promise((resolve) => setImmediate(resolve)) // the reservation resolved; the wait started
      expect(timers.started).toBe(1)
      expect(timers.live()).toBe(1)
      controller.abort(new Error('shutting down'))
      const err = await sending
      await new Promise((resolve) => setImmediate(resolve)) // destroy hooks run after the clear
      expect(timers.live()).toBe(0)
      expect(err).toBeInstanceOf(WhatsAppApiError)
      expect(err).toMatchObject({ retryable: true, retryAfterMs: undefined })
      expect(fake.requests).toHaveLength(0)
    } finally {
      timers.stop()
    }
    await client.close()
  })

  it('takes no slot for a call already aborted', async () => {
    const { limiter, client } = limitedClient(0)
    await expect(client.sendText(send(AbortSignal.abort()))).rejects.toBeInstanceOf(WhatsAppApiError)
    expect(await limiter.reserve(NUMBER, 0)).toEqual({ reserved: true, waitMs: 0 })
    await client.close()
  })

  it('leaves marking read and media downloads unlimited', async () => {
    const { client } = limitedClient(0)
    await client.sendText(send())
    await expect(client.sendText(send())).rejects.toMatchObject({ retryAfterMs: 1_000 })
    fake.addMedia('media-1', { bytes: Buffer.from('boleto'), mimeType: 'image/jpeg' })
    for (let i = 0; i < 5; i++) {
      await client.markRead({ phoneNumberId: NUMBER, wamid: `wamid.IN${i}` })
      expect((await client.downloadMedia('media-1', { maxBytes: 1_000 })).bytes.toString()).toBe('boleto')
    }
    expect(fake.requests.filter((r) => r.kind === 'mark-read')).toHaveLength(5)
    await client.close()
  })

  it('keeps the wrapped client\'s transport and close', async () => {
    const { client } = limitedClient(0)
    expect(client.transport).toBe('cloud')
    expect(typeof client.close).toBe('function')
    await client.close()
  })
})
