import { describe, expect, it } from 'vitest'
import { parseWebhook, type InboundMessage } from '../../src/whatsapp/index.js'
import { loadWebhook, textMessage, webhookWith } from './fixtures.js'

function byWamid(messages: InboundMessage[], wamid: string): InboundMessage {
  const found = messages.find((m) => m.wamid === wamid)
  if (found === undefined) throw new Error(`no message ${wamid}`)
  return found
}

describe('parseWebhook', () => {
  it('reads a single text message with its business number, customer and time', () => {
    const parsed = parseWebhook(loadWebhook('text'))
    expect(parsed).toEqual({
      messages: [
        {
          phoneNumberId: '1000000001',
          wamid: 'wamid.TEXT0001',
          customer: { waId: '5511900000001', userId: undefined, profileName: 'Cliente Um' },
          type: 'text',
          text: 'Oi, qual o horário de atendimento?',
          media: undefined,
          payload: undefined,
          sentAt: new Date(1_700_000_000_000),
        },
      ],
      statuses: [],
      unparsed: [],
      unparsedCount: 0,
      cutValues: 0,
    })
  })

  it('reads every entry, change, message and status of a batch, in order', () => {
    const parsed = parseWebhook(loadWebhook('batch'))
    expect(parsed.messages.map((m) => [m.phoneNumberId, m.wamid])).toEqual([
      ['1000000001', 'wamid.BATCH0001'],
      ['1000000001', 'wamid.BATCH0002'],
      ['1000000001', 'wamid.BATCH0003'],
      ['1000000002', 'wamid.BATCH0004'],
      ['1000000002', 'wamid.BATCH0005'],
    ])
    expect(parsed.statuses.map((s) => [s.phoneNumberId, s.wamid, s.status])).toEqual([
      ['1000000001', 'wamid.OUT0001', 'delivered'],
      ['1000000002', 'wamid.OUT0002', 'sent'],
      ['1000000002', 'wamid.OUT0003', 'read'],
    ])
  })

  it('ignores a well-formed change of another field', () => {
    expect(parseWebhook(loadWebhook('batch')).unparsed).toEqual([])
  })

  it('takes each customer\'s profile name from the matching contacts entry', () => {
    const { messages } = parseWebhook(loadWebhook('batch'))
    expect(byWamid(messages, 'wamid.BATCH0001').customer.profileName).toBe('Cliente Um')
    expect(byWamid(messages, 'wamid.BATCH0003').customer.profileName).toBe('Cliente Dois')
    expect(byWamid(messages, 'wamid.BATCH0004').customer.profileName).toBe('Cliente Três')
  })

  it('keys a customer known only by from_user_id and finds the name by user_id', () => {
    const [message] = parseWebhook(loadWebhook('from-user-id')).messages
    expect(message?.customer).toEqual({ waId: undefined, userId: 'BR.0000000000000000001', profileName: 'Cliente Usuário' })
  })

  it('keeps a long text whole, since inbound text may exceed the 4,096 we send', () => {
    const body = 'a'.repeat(10_000)
    expect(parseWebhook(webhookWith(textMessage('wamid.LONG', body))).messages[0]?.text).toBe(body)
  })

  it('decodes escaped characters and strips NUL from every string', () => {
    const parsed = parseWebhook(loadWebhook('escaped-and-nul'))
    const [message] = parsed.messages
    expect(message?.text).toBe('Olá, tudo bem?')
    expect(message?.customer.profileName).toBe('João')
    expect(message?.payload).toEqual({ context: { from: '5511300000000', id: 'wamid.OUT0200' } })
    expect(JSON.stringify(parsed)).not.toContain('\\u0000')
  })
})

describe('parseWebhook message types', () => {
  const { messages, unparsed } = parseWebhook(loadWebhook('every-type'))
  const at = (wamid: string) => byWamid(messages, wamid)

  it('parses all thirteen sample messages', () => {
    expect(unparsed).toEqual([])
    expect(messages).toHaveLength(13)
  })

  it('reads a text body and keeps the reply-to context in the payload', () => {
    expect(at('wamid.TYPE01')).toMatchObject({
      type: 'text',
      text: 'Meu pedido não chegou',
      payload: { context: { from: '5511300000000', id: 'wamid.OUT0300' } },
    })
  })

  it('reads an image as media with its caption as text', () => {
    expect(at('wamid.TYPE02')).toMatchObject({
      type: 'image',
      text: 'foto do produto',
      media: { id: '3000000000000011', mimeType: 'image/jpeg', sha256: 'placeholder-sha256-11', caption: 'foto do produto' },
    })
  })

  it('flags a voice note', () => {
    expect(at('wamid.TYPE03').media).toMatchObject({ id: '3000000000000012', mimeType: 'audio/ogg; codecs=opus', voice: true })
  })

  it('reads a video without a caption', () => {
    expect(at('wamid.TYPE04')).toMatchObject({ type: 'video', text: undefined, media: { id: '3000000000000013', caption: undefined } })
  })

  it('reads a document with its filename', () => {
    expect(at('wamid.TYPE05').media).toMatchObject({ id: '3000000000000014', filename: 'boleto.pdf', mimeType: 'application/pdf' })
  })

  it('reads a sticker as media', () => {
    expect(at('wamid.TYPE06')).toMatchObject({ type: 'sticker', media: { id: '3000000000000015', mimeType: 'image/webp' } })
  })

  it('keeps a location in the payload', () => {
    expect(at('wamid.TYPE07')).toMatchObject({
      text: undefined,
      payload: { location: { latitude: -23.5505, longitude: -46.6333, name: 'Loja Paulista' } },
    })
  })

  it('keeps shared contact cards in the payload', () => {
    expect(at('wamid.TYPE08').payload?.contacts).toEqual([
      expect.objectContaining({ name: { formatted_name: 'Contato Exemplo', first_name: 'Contato' } }),
    ])
  })

  it('keeps a reaction in the payload', () => {
    expect(at('wamid.TYPE09').payload).toEqual({ reaction: { message_id: 'wamid.OUT0301', emoji: '👍' } })
  })

  it('reads a tapped reply button: the title as text, the id in the payload', () => {
    expect(at('wamid.TYPE10')).toMatchObject({
      text: 'Suporte',
      payload: { interactive: { type: 'button_reply', id: 'dept-support', title: 'Suporte' }, context: { id: 'wamid.OUT0302' } },
    })
  })

  it('reads a chosen list row: the title as text, the id in the payload', () => {
    expect(at('wamid.TYPE11')).toMatchObject({
      text: 'Plano Básico',
      payload: { interactive: { type: 'list_reply', id: 'plan-basic', title: 'Plano Básico', description: 'R$ 49,90 por mês' } },
    })
  })

  it('reads a template quick-reply button with its payload', () => {
    expect(at('wamid.TYPE12')).toMatchObject({
      type: 'button',
      text: 'Sim, confirmar',
      payload: { button: { text: 'Sim, confirmar', payload: 'confirm-order' } },
    })
  })

  it('keeps the errors of an unsupported message', () => {
    expect(at('wamid.TYPE13')).toMatchObject({ type: 'unsupported', payload: { errors: [expect.objectContaining({ code: 131051 })] } })
  })

  it('keeps a type it does not know under its own name with the raw object', () => {
    const fixture = loadWebhook('unknown-type')
    const [message] = parseWebhook(fixture).messages
    expect(message?.type).toBe('poll_vote')
    expect(message?.text).toBeUndefined()
    expect(message?.payload?.raw).toMatchObject({ poll_vote: { poll_id: 'poll-placeholder-1', selected: ['option-a'] } })
  })
})

describe('parseWebhook statuses', () => {
  it('reads a failed status with its errors, recipient, callback data and raw object', () => {
    const { statuses, messages, unparsed } = parseWebhook(loadWebhook('status-failed'))
    expect(messages).toEqual([])
    expect(unparsed).toEqual([])
    expect(statuses).toEqual([
      {
        phoneNumberId: '1000000001',
        wamid: 'wamid.OUT0100',
        status: 'failed',
        recipient: '5511900000001',
        occurredAt: new Date(1_700_000_300_000),
        errors: [expect.objectContaining({ code: 131047, title: 'Re-engagement message' })],
        bizOpaqueCallbackData: 'outbox-7',
        raw: expect.objectContaining({ id: 'wamid.OUT0100', status: 'failed' }),
      },
    ])
  })

  it('reads the callback data of a sent status', () => {
    const status = parseWebhook(loadWebhook('batch')).statuses.find((s) => s.wamid === 'wamid.OUT0002')
    expect(status?.bizOpaqueCallbackData).toBe('outbox-42')
  })
})
