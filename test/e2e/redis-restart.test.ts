import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startStack, textWebhook, type Stack } from '../helpers/e2e.js'

describe('when Redis restarts empty right after a webhook was acknowledged', () => {
  let stack: Stack
  beforeAll(async () => {
    // The debounce keeps the turn's wake-up waiting in Redis when Redis dies.
    stack = await startStack('redis', 'postgres', {
      DEBOUNCE_MS: '1500',
      DEBOUNCE_MAX_MS: '1500',
      RECONCILE_AFTER_MS: '1000',
      RECONCILE_INTERVAL_MS: '200',
    })
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('rebuilds the lost work from the database and still answers the customer', async () => {
    const res = await stack.post(textWebhook('wamid.RESTART1', 'minha internet está muito lenta'))
    expect(res.status).toBe(200)
    // The turn's wake-up must be in Redis when it dies, or this proves nothing: under load the
    // enqueue after the 200 can come late enough to land in the restarted Redis instead.
    const probe = new Redis(stack.redis!.url, { lazyConnect: true })
    try {
      await vi.waitFor(async () => {
        const [key] = await probe.keys('*:ai-response:delayed')
        expect(key === undefined ? 0 : await probe.zcard(key)).toBe(1)
      }, { timeout: 20_000, interval: 20 })
    } finally {
      probe.disconnect()
    }
    await stack.redis!.kill()
    await stack.redis!.start()

    const [send] = await stack.graph.waitForSends(1, { timeoutMs: 60_000 })
    expect(send!.body).toMatchObject({ to: '5511900000001', type: 'text' })
    await stack.atende.waitForLog((l) => l.msg === 'reconciler re-dispatched overdue work', 60_000)
    // One turn covered the message: exactly one reply.
    expect(stack.graph.requests.filter((r) => r.kind === 'send' && r.status === 200)).toHaveLength(1)
    // Alone this takes ~3 s; under a loaded full suite reconnects and passes slow down, and
    // the waits above (60 s) must bound the test, not the default test timeout.
  }, 120_000)
})
