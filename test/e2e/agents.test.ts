import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from '../helpers/db.js'
import { combinations, E2E_ADMIN_TOKEN, startStack, textWebhook, type Stack } from '../helpers/e2e.js'
import type { RecordedRequest } from '../helpers/fake-graph.js'

const CUSTOMER = '5511900000201'
const LATE_CUSTOMER = '5511900000202'

interface Sent {
  to: string
  type: string
  text?: { body: string }
  template?: { name: string; language: { code: string }; components?: unknown[] }
}

describe.each(combinations(ENGINES))('a person takes a conversation and gives it back to the bot (%s runtime, %s)', (runtime, engine) => {
  let stack: Stack
  let id: number
  beforeAll(async () => {
    stack = await startStack(runtime, engine)
  })
  afterAll(async () => {
    await stack?.close()
  })

  const adminPost = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${stack.atende.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const sendsTo = (waId: string): Sent[] =>
    stack.graph.requests
      .filter((r: RecordedRequest) => r.kind === 'send' && r.status === 200)
      .map((r) => r.body as Sent)
      .filter((b) => b.to === waId)
  const turnsLogged = (msg: string) => stack.atende.logs.filter((l) => l.msg === msg).length
  const detail = () => stack.admin(`/api/conversations/${id}`)

  it('answers the customer with the bot before anyone takes the conversation', async () => {
    expect((await stack.post(textWebhook('wamid.AG1', 'como faço pra pegar a segunda via do boleto?', CUSTOMER))).status).toBe(200)
    await stack.graph.waitForSends(1, { timeoutMs: 20_000 })
    await stack.atende.waitForLog((l) => l.msg === 'turn replied')
    const { items } = await stack.admin(`/api/conversations?contact=${CUSTOMER}`)
    id = items[0].id
    expect(sendsTo(CUSTOMER)).toHaveLength(1)
  })

  it('stays silent while a person has it: what the customer writes gets no bot reply', async () => {
    expect(await adminPost(`/api/conversations/${id}/handoff`, { agent: 'Carla' })).toMatchObject({ status: 200, body: { status: 'handoff' } })
    expect((await stack.post(textWebhook('wamid.AG2', 'vocês ainda estão aí?', CUSTOMER))).status).toBe(200)
    await stack.atende.waitForLog((l) => l.msg === 'conversation is with a person; turn covers the messages without a reply')
    // The line is logged before the turn's completion commits: read until the commit shows.
    await expect.poll(() => detail(), { timeout: 10_000 }).toMatchObject({ status: 'handoff', lastSeq: 2, answeredSeq: 2 })
    expect(sendsTo(CUSTOMER)).toHaveLength(1)
  })

  it("delivers the agent's message once, a retried POST with the same Idempotency-Key included", async () => {
    const message = { text: 'Oi! Aqui é a Carla, vou te ajudar com o boleto.', agent: 'Carla' }
    const first = await adminPost(`/api/conversations/${id}/messages`, message, { 'idempotency-key': 'carla-1' })
    expect(first.status).toBe(202)
    const retried = await adminPost(`/api/conversations/${id}/messages`, message, { 'idempotency-key': 'carla-1' })
    expect(retried).toMatchObject({ status: 202, body: { outboxId: first.body.outboxId } })
    await stack.atende.waitForLog((l) => l.msg === 'outbox row sent' && l.outboxId === first.body.outboxId)
    // Retried once more after it left: still the same row, nothing sent again.
    expect(await adminPost(`/api/conversations/${id}/messages`, message, { 'idempotency-key': 'carla-1' })).toMatchObject({
      status: 202,
      body: { outboxId: first.body.outboxId, duplicate: true },
    })
    const agentSends = sendsTo(CUSTOMER).filter((s) => s.text?.body === message.text)
    expect(agentSends).toHaveLength(1)
    const row = (await detail()).messages.find((m: { id: number }) => m.id === first.body.outboxId)
    expect(row).toMatchObject({ direction: 'out', providerStatus: 'sent' })
    expect(row.wamid).toMatch(/^wamid\.fake\./)
  })

  it('hands the conversation back to the bot, which answers only what comes after the release', async () => {
    expect(await adminPost(`/api/conversations/${id}/release`, { agent: 'Carla' })).toMatchObject({ status: 200, body: { status: 'open' } })
    const before = sendsTo(CUSTOMER).length
    const replies = turnsLogged('turn replied')
    expect((await stack.post(textWebhook('wamid.AG3', 'e qual o horário de atendimento?', CUSTOMER))).status).toBe(200)
    await stack.atende.waitForLog(() => turnsLogged('turn replied') > replies)
    const after = sendsTo(CUSTOMER)
    expect(after).toHaveLength(before + 1)
    expect(after.at(-1)!.type).toBe('text')
    expect(await detail()).toMatchObject({ status: 'open', lastSeq: 3, answeredSeq: 3 })
  })

  it('refuses a text outside the 24 h window with 409 and sends a template instead', async () => {
    const old = textWebhook('wamid.AG4', 'oi, preciso de ajuda', LATE_CUSTOMER)
    const message = (old as any).entry[0].changes[0].value.messages[0]
    message.timestamp = String(Math.floor(Date.now() / 1000) - 25 * 3600)
    expect((await stack.post(old)).status).toBe(200)
    // The webhook answers 200 only after its commit: the conversation is there.
    const { items } = await stack.admin(`/api/conversations?contact=${LATE_CUSTOMER}`)
    const late = items[0].id as number
    const refused = await adminPost(`/api/conversations/${late}/messages`, { text: 'Oi, tudo bem?' })
    expect(refused).toMatchObject({ status: 409, body: { code: 'ATD_OUTSIDE_SERVICE_WINDOW' } })

    const template = { name: 'retorno_atendimento', language: 'pt_BR', parameters: ['Carla'] }
    const queued = await adminPost(`/api/conversations/${late}/messages`, { template, agent: 'Carla' })
    expect(queued.status).toBe(202)
    await stack.atende.waitForLog((l) => l.msg === 'outbox row sent' && l.outboxId === queued.body.outboxId)
    const sent = sendsTo(LATE_CUSTOMER)
    expect(sent.filter((s) => s.type === 'text' && s.text?.body === 'Oi, tudo bem?')).toHaveLength(0)
    const templates = sent.filter((s) => s.type === 'template')
    expect(templates).toHaveLength(1)
    expect(templates[0]!.template).toMatchObject({ name: 'retorno_atendimento', language: { code: 'pt_BR' } })
    expect(JSON.stringify(templates[0]!.template!.components)).toContain('Carla')
  })
})
