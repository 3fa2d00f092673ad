import { afterEach, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../helpers/e2e.js'
import { answeredTwice, repliesByCustomer, startStream, switches, waitForReplies, type Stream } from '../helpers/failover.js'

/**
 * How long Redis flaps. Short by default so `npm test` stays quick; the minute:
 * `TEST_FLAP_MS=60000 npx vitest run test/e2e/redis-failover.flapping.test.ts`.
 */
const FLAP_MS = Number(process.env.TEST_FLAP_MS ?? 15_000)
/** Each phase, down or up, lasts this long: longer than REDIS_FAILOVER_AFTER_MS, so most downs switch. */
const PHASE_MS = 2_500

let stack: Stack | undefined
let stream: Stream | undefined
afterEach(async () => {
  await stream?.stop()
  try { stack?.redis?.resume() } catch { /* not running */ }
  await stack?.close()
  stack = stream = undefined
})

describe('when Redis flaps', () => {
  it('answers every message once, leaves nothing stuck, and logs one line per transition', async () => {
    const s = (stack = await startStack('redis', 'postgres', {
      REDIS_FAILOVER_AFTER_MS: '800',
      REDIS_FAILOVER_POLL_MS: '200',
      REDIS_COMMAND_TIMEOUT_MS: '300',
      RECONCILE_AFTER_MS: '2000',
      RECONCILE_INTERVAL_MS: '500',
    }))
    const redis = s.redis!
    stream = startStream(s.post, { everyMs: 200, tag: 'flap', firstCustomer: 5511984000000 })
    const until = performance.now() + FLAP_MS
    let outages = 0
    // Down and up in turn, alternating a crash (back empty) with a freeze (back with its jobs).
    while (performance.now() < until) {
      const crash = outages % 2 === 0
      if (crash) await redis.kill()
      else redis.pause()
      outages++
      await new Promise((r) => setTimeout(r, PHASE_MS))
      if (crash) await redis.start()
      else redis.resume()
      await new Promise((r) => setTimeout(r, PHASE_MS))
    }
    await s.atende.waitForLog((l) => l.msg === 'runtime switched' && l.to === 'queues' && switches(s.atende).length % 2 === 0, 30_000)
    await stream.stop()
    const posted = stream.posted
    expect(posted.every((p) => p.status === 200)).toBe(true)
    // Nothing stuck: every message is answered soon after Redis settles.
    await waitForReplies(s.graph, posted.map((p) => p.customer), 60_000)
    // Give a late duplicate time to show itself: reconciler passes, BullMQ retries.
    await new Promise((r) => setTimeout(r, 3_000))
    expect(answeredTwice(s.graph)).toEqual([])
    expect(repliesByCustomer(s.graph).size).toBe(posted.length)

    // One line per transition: each line leaves the runtime the previous one entered.
    const lines = switches(s.atende)
    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(lines.length).toBeLessThanOrEqual(2 * outages)
    lines.forEach((l, i) => {
      expect(l.from).toBe(i % 2 === 0 ? 'queues' : 'in-process')
      expect(l.to).toBe(i % 2 === 0 ? 'in-process' : 'queues')
    })
    console.info(JSON.stringify({
      figure: 'redis flapping', flapMs: FLAP_MS, outages, transitions: lines.length,
      messages: posted.length, answeredTwice: answeredTwice(s.graph).length,
    }))
  }, FLAP_MS + 150_000)
})
