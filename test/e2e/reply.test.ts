import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../helpers/db.js'
import { combinations, E2E_WA_TOKEN, PHONE_NUMBER_ID, startStack, textWebhook, type Stack } from '../helpers/e2e.js'

describe.each(combinations(ENGINES))('a customer message is answered end to end (%s runtime, %s)', (runtime, engine) => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack(runtime, engine)
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('sends the knowledge-base answer to the customer through the Graph API', async () => {
    const res = await stack.post(textWebhook('wamid.E2E1', 'como faço pra pegar a segunda via do boleto?'))
    expect(res.status).toBe(200)
    const [send] = await stack.graph.waitForSends(1, { timeoutMs: 20_000 })
    expect(send!.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`)
    expect(send!.headers.authorization).toBe(`Bearer ${E2E_WA_TOKEN}`)
    expect(send!.body).toMatchObject({ messaging_product: 'whatsapp', to: '5511900000001', type: 'text' })
    expect((send!.body as { text: { body: string } }).text.body).toMatch(/segunda via/i)
    expect(stack.graph.requests.some((r) => r.kind === 'mark-read' && (r.body as { message_id?: string }).message_id === 'wamid.E2E1')).toBe(true)
  })

  it('keeps the message and the sent reply in the database', async () => {
    // The send is answered before the turn records it: wait for the turn to finish.
    await stack.atende.waitForLog((l) => l.msg === 'turn replied')
    const { items } = await stack.admin('/api/conversations?contact=5511900000001')
    expect(items).toHaveLength(1)
    const detail = await stack.admin(`/api/conversations/${items[0].id}`)
    expect(detail).toMatchObject({ status: 'open', department: 'financeiro', lastSeq: 1, answeredSeq: 1 })
    const [inbound, outbound] = detail.messages
    expect(inbound).toMatchObject({ direction: 'in', wamid: 'wamid.E2E1', type: 'text', providerStatus: 'received' })
    expect(outbound).toMatchObject({ direction: 'out', seq: 1, part: 0, providerStatus: 'sent' })
    expect(outbound.wamid).toMatch(/^wamid\.fake\./)
  })
})
