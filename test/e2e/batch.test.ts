import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../helpers/db.js'
import { startStack, type Stack } from '../helpers/e2e.js'
import { loadWebhook } from '../whatsapp/fixtures.js'

/** The batch fixture, re-stamped to now: 2 entries, 5 messages from 3 customers, statuses. */
function freshBatch(): Record<string, unknown> {
  const now = String(Math.floor(Date.now() / 1000))
  return JSON.parse(JSON.stringify(loadWebhook('batch')).replace(/"timestamp":\s*"\d+"/g, `"timestamp":"${now}"`)) as Record<string, unknown>
}

describe.each(ENGINES)('a POST batching several customers (redis runtime, %s)', (engine) => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack('redis', engine)
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('answers every customer once, each reply covering all of that customer\'s messages', async () => {
    const res = await stack.post(freshBatch())
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ accepted: 5, statuses: 3 })
    const sends = await stack.graph.waitForSends(3, { timeoutMs: 20_000 })
    const recipients = sends.map((s) => `${s.path.split('/')[2]}:${(s.body as { to: string }).to}`).sort()
    expect(recipients).toEqual(['1000000001:5511900000001', '1000000001:5511900000002', '1000000002:5521900000003'])

    // Delivering the same POST again changes nothing and sends nothing more.
    const again = await stack.post(freshBatch())
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 5 })
    expect(stack.graph.requests.filter((r) => r.kind === 'send' && r.status === 200)).toHaveLength(3)

    // Each conversation's turn covered all of its messages: answered through the last seq
    // (a send is answered before its turn records it, so wait for the three turns first).
    // A message the bot cannot place is answered with the department menu (issue #12).
    const turns = () => stack.atende.logs.filter((l) => l.msg === 'turn replied' || l.msg === 'turn asked with the department menu').length
    await stack.atende.waitForLog(() => turns() >= 3)
    const { items } = (await stack.admin('/api/conversations?limit=10')) as { items: Array<{ id: number; lastSeq: number; answeredSeq: number }> }
    expect(items).toHaveLength(3)
    for (const c of items) expect(c.answeredSeq).toBe(c.lastSeq)
    expect(items.map((c) => c.lastSeq).sort()).toEqual([1, 2, 2])
  })
})
