import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import type { OutboundContent } from '../../src/domain/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { loggerOptions } from '../../src/log/index.js'
import { createCloudClient, createConsoleClient, type WhatsAppClient } from '../../src/whatsapp/index.js'
import { graphError, startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'

const PHONE_NUMBER_ID = '1000000001'
const customer = { waId: '5511900000001', userId: undefined, profileName: undefined }

let fake: FakeGraph
let client: WhatsAppClient

beforeEach(async () => {
  fake = await startFakeGraph()
  client = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 2_000 })
})

afterEach(async () => {
  await fake.close()
})

async function sent(content: OutboundContent): Promise<unknown> {
  const result = await client.send({ phoneNumberId: PHONE_NUMBER_ID, to: customer, content, bizOpaqueCallbackData: 'out:7' })
  expect(result).toEqual({ wamid: 'wamid.fake.1' })
  const [request] = await fake.waitForSends(1)
  expect(request).toMatchObject({ method: 'POST', path: '/v21.0/1000000001/messages' })
  return request!.body
}

const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511900000001', biz_opaque_callback_data: 'out:7' }

describe('cloud client send', () => {
  it('sends a template with its body parameters in order', async () => {
    const body = await sent({ type: 'template', template: { name: 'pesquisa_atendimento', language: 'pt_BR', parameters: ['Ana', 'hoje'] } })

    expect(body).toEqual({
      ...envelope,
      type: 'template',
      template: {
        name: 'pesquisa_atendimento',
        language: { code: 'pt_BR' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'hoje' }] }],
      },
    })
  })

  it('sends a template without parameters with no components', async () => {
    const body = await sent({ type: 'template', template: { name: 'hello_world', language: 'en_US', parameters: [] } })
    expect(body).toEqual({ ...envelope, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } })
  })

  it('sends reply buttons', async () => {
    const body = await sent({
      type: 'interactive',
      interactive: { kind: 'buttons', body: 'Com qual setor?', buttons: [{ id: 'suporte', title: 'Suporte' }, { id: 'financeiro', title: 'Financeiro' }] },
    })
    expect(body).toEqual({
      ...envelope,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Com qual setor?' },
        action: { buttons: [{ type: 'reply', reply: { id: 'suporte', title: 'Suporte' } }, { type: 'reply', reply: { id: 'financeiro', title: 'Financeiro' } }] },
      },
    })
  })

  it('sends a list with its sections', async () => {
    const sections = [{ title: 'Setores', rows: [{ id: 'suporte', title: 'Suporte técnico', description: 'Internet e TV' }, { id: 'vendas', title: 'Vendas' }] }]
    const body = await sent({ type: 'interactive', interactive: { kind: 'list', body: 'Escolha um setor', button: 'Ver setores', sections } })
    expect(body).toEqual({
      ...envelope,
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Escolha um setor' }, action: { button: 'Ver setores', sections } },
    })
  })

  it('sends a text payload as sendText does', async () => {
    const body = await sent({ type: 'text', text: 'Olá!' })
    expect(body).toEqual({ ...envelope, type: 'text', text: { body: 'Olá!', preview_url: false } })
  })

  it('maps a refused template (132001) to a WhatsAppApiError that is not retried', async () => {
    fake.failNext(graphError(404, 132001, 'Template name does not exist in the translation'))
    const err = await client
      .send({ phoneNumberId: PHONE_NUMBER_ID, to: customer, content: { type: 'template', template: { name: 'nope', language: 'pt_BR', parameters: [] } } })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ metaCode: 132001, retryable: false })
  })
})

describe('cloud client send: may it have reached Meta?', () => {
  const text = { type: 'text' as const, text: 'Olá!' }
  const failure = (c: WhatsAppClient, signal?: AbortSignal) =>
    c.send({ phoneNumberId: PHONE_NUMBER_ID, to: customer, content: text, signal }).catch((e: unknown) => e)

  it('says yes after a timeout: the request was written', async () => {
    const quick = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 200 })
    fake.failNext({ hang: true })
    expect(await failure(quick)).toMatchObject({ retryable: true, mayHaveSent: true })
  })

  it('says yes for a 2xx without a message id', async () => {
    fake.failNext({ status: 200, body: { messaging_product: 'whatsapp' } })
    expect(await failure(client)).toMatchObject({ mayHaveSent: true })
  })

  it('says no when the connection was refused, when Meta answered an error, or when aborted before it began', async () => {
    const closed = await startFakeGraph()
    const url = closed.url
    await closed.close()
    const refused = createCloudClient({ apiBaseUrl: url, token: secret('test-token-placeholder'), timeoutMs: 2_000 })
    expect(await failure(refused)).toMatchObject({ retryable: true, mayHaveSent: false })
    fake.failNext(graphError(500, 1, 'An unknown error occurred'))
    expect(await failure(client)).toMatchObject({ retryable: true, mayHaveSent: false })
    expect(await failure(client, AbortSignal.abort())).toMatchObject({ mayHaveSent: false })
  })
})

describe('console client send', () => {
  function capture() {
    const lines: Record<string, unknown>[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
        done()
      },
    })
    return { client: createConsoleClient({ log: pino(loggerOptions('debug'), stream) }), lines }
  }

  it('shows a template by name and parameter count, never the parameters', async () => {
    const { client: console, lines } = capture()
    const { wamid } = await console.send({
      phoneNumberId: PHONE_NUMBER_ID, to: customer,
      content: { type: 'template', template: { name: 'pesquisa_atendimento', language: 'pt_BR', parameters: ['Ana Souza'] } },
    })
    expect(wamid).toMatch(/^wamid\.console\./)
    expect(lines).toEqual([expect.objectContaining({ template: 'pesquisa_atendimento', language: 'pt_BR', parameters: 1 })])
    expect(JSON.stringify(lines)).not.toContain('Ana Souza')
    expect(JSON.stringify(lines)).not.toContain('5511900000001')
  })

  it('shows an interactive message by kind, choice count and body', async () => {
    const { client: console, lines } = capture()
    await console.send({
      phoneNumberId: PHONE_NUMBER_ID, to: customer,
      content: { type: 'interactive', interactive: { kind: 'buttons', body: 'Com qual setor?', buttons: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }] } },
    })
    expect(lines).toEqual([expect.objectContaining({ interactive: 'buttons', choices: 2, reply: 'Com qual setor?' })])
  })
})
