import { Writable } from 'node:stream'
import { pino } from 'pino'
import { loggerOptions } from '../../src/log/index.js'
import { describe, expect, it } from 'vitest'
import { WhatsAppApiError } from '../../src/errors.js'
import { createConsoleClient } from '../../src/whatsapp/index.js'

/** A real pino logger writing JSON lines into an array. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
      done()
    },
  })
  return { log: pino(loggerOptions('debug'), stream), lines }
}

const customer = { waId: '5511900000001', userId: undefined, profileName: 'Cliente Um' }

describe('console client', () => {
  it('logs one info line per reply, with its text and length but not the customer', async () => {
    const { log, lines } = capturingLogger()
    const client = createConsoleClient({ log })

    const { wamid } = await client.sendText({ phoneNumberId: '1000000001', to: customer, text: 'Olá!' })

    expect(wamid).toMatch(/^wamid\.console\.[0-9a-f-]{36}$/)
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, component: 'whatsapp-console', phoneNumberId: '1000000001', chars: 4, reply: 'Olá!' }),
    ])
    expect(JSON.stringify(lines)).not.toContain('5511900000001')
  })

  it('gives every reply its own wamid', async () => {
    const client = createConsoleClient({ log: capturingLogger().log })
    const first = await client.sendText({ phoneNumberId: '1000000001', to: customer, text: 'a' })
    const second = await client.sendText({ phoneNumberId: '1000000001', to: customer, text: 'b' })
    expect(first.wamid).not.toBe(second.wamid)
  })

  it('marks a message read with a debug line', async () => {
    const { log, lines } = capturingLogger()
    await createConsoleClient({ log }).markRead({ phoneNumberId: '1000000001', wamid: 'wamid.IN0001' })
    expect(lines).toEqual([expect.objectContaining({ level: 20, wamid: 'wamid.IN0001' })])
  })

  it('refuses to download media, for good', async () => {
    const err = await createConsoleClient({ log: capturingLogger().log }).downloadMedia('3000000000000011', { maxBytes: 1_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ retryable: false, message: 'media download is not available on the console transport' })
  })
})
