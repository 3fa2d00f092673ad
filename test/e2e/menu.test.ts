import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, textWebhook, type Stack } from '../helpers/e2e.js'
import { webhookWith } from '../whatsapp/fixtures.js'

interface ListSend {
  to: string
  type: string
  interactive: { type: string; body: { text: string }; action: { button: string; sections: Array<{ rows: Array<{ id: string; title: string }> }> } }
}

// "When unsure, ask" through the real `serve` (local provider, NetVale sample base): an
// ambiguous message gets the department list, the customer's tap routes the conversation
// and is answered.
describe('an ambiguous message is answered with the department menu, and the tap routes it', () => {
  let stack: Stack
  const from = '5511900000077'
  beforeAll(async () => {
    stack = await startStack('in-process', 'pglite')
  })
  afterAll(async () => {
    await stack?.close()
  })

  it('sends the list of departments, then routes and answers the tapped one', async () => {
    expect((await stack.post(textWebhook('wamid.MENU1', 'tenho uma dúvida', from))).status).toBe(200)
    const [menuSend] = await stack.graph.waitForSends(1, { timeoutMs: 30_000 })
    const menu = menuSend!.body as ListSend
    expect(menu).toMatchObject({ to: from, type: 'interactive', interactive: { type: 'list' } })
    const rows = menu.interactive.action.sections.flatMap((s) => s.rows)
    expect(rows.map((r) => r.id).sort()).toEqual(['department:cancelamento', 'department:comercial', 'department:financeiro', 'department:suporte'])
    await stack.atende.waitForLog((l) => l.msg === 'turn asked with the department menu')

    const financeiro = rows.find((r) => r.id === 'department:financeiro')!
    const tap = {
      from, id: 'wamid.MENU2', timestamp: String(Math.floor(Date.now() / 1000)), type: 'interactive',
      context: { from: '15550000000', id: 'wamid.fake.menu' },
      interactive: { type: 'list_reply', list_reply: { id: financeiro.id, title: financeiro.title } },
    }
    expect((await stack.post(webhookWith(tap, { contacts: [{ profile: { name: 'Cliente' }, wa_id: from }] }))).status).toBe(200)
    const sends = await stack.graph.waitForSends(2, { timeoutMs: 30_000 })
    const answer = sends[1]!.body as { to: string; type: string; text: { body: string } }
    expect(answer).toMatchObject({ to: from, type: 'text' })
    expect(answer.text.body).toContain('Financeiro')
    await stack.atende.waitForLog((l) => l.msg === 'turn replied')

    const { items } = await stack.admin(`/api/conversations?contact=${from}`)
    const detail = await stack.admin(`/api/conversations/${items[0].id}`)
    expect(detail).toMatchObject({ status: 'open', department: 'financeiro' })
    const kinds = detail.messages.map((m: { direction: string; kind?: string; type: string }) => `${m.direction}:${m.type}`)
    expect(kinds).toEqual(['in:text', 'out:interactive', 'in:interactive', 'out:text'])
  })
})
