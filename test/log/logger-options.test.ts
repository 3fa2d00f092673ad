import Fastify from 'fastify'
import { pino, type Logger } from 'pino'
import { describe, expect, it } from 'vitest'
import { AiProviderError } from '../../src/errors.js'
import { loggerOptions } from '../../src/log/index.js'

const PHONE = '5511987654321'
const NAME = 'Maristela Gouveia'
const TEXT = 'quero a segunda via do boleto de abril'
const SECRET = 'test-secret-placeholder'

/** main's logger options on a real pino writing JSON lines into an array. */
function capturing(): { log: Logger; lines: Array<Record<string, any>>; raw: string[] } {
  const lines: Array<Record<string, any>> = []
  const raw: string[] = []
  const log = pino(loggerOptions('debug'), {
    write: (line: string) => {
      raw.push(line)
      lines.push(JSON.parse(line) as Record<string, any>)
    },
  })
  return { log, lines, raw }
}

/** A real error quoting the customer, as `JSON.parse` quotes the text it could not read. */
function parseError(): Error {
  try {
    JSON.parse(`${NAME} ${PHONE}`)
  } catch (err) {
    return err as Error
  }
  throw new Error('unreachable')
}

describe('logger options', () => {
  it('never takes a foreign error\'s message as the line\'s message', () => {
    const { log, lines, raw } = capturing()
    const err = parseError()
    log.error(err)
    log.error({ err }, err.message)
    log.warn({ err })
    expect(lines.map((l) => l.msg)).toEqual(['error (message omitted)', 'error (message omitted)', 'error (message omitted)'])
    expect(lines.map((l) => l.err.type)).toEqual(['SyntaxError', 'SyntaxError', 'SyntaxError'])
    expect(raw.join('')).not.toContain(NAME.slice(0, 9))
  })

  it('keeps our own error\'s message as the line\'s message when none is given', () => {
    const { log, lines } = capturing()
    log.error(new AiProviderError('the AI API answered HTTP 500', { cause: parseError() }))
    expect(lines[0]).toMatchObject({ msg: 'the AI API answered HTTP 500', err: { code: 'ATD_AI_PROVIDER', cause: { type: 'SyntaxError' } } })
  })

  it('serializes errors under any key, and in arrays, like err', () => {
    const { log, lines, raw } = capturing()
    log.warn({ reason: parseError(), errors: [parseError(), 'kept'], count: 2 }, 'two failures')
    expect(lines[0]).toMatchObject({ reason: { type: 'SyntaxError' }, errors: [{ type: 'SyntaxError' }, 'kept'], count: 2 })
    expect(raw.join('')).not.toContain(NAME.slice(0, 9))
  })

  it('redacts personal fields and secrets someone logs by mistake, at the top and one level down', () => {
    const { log, lines, raw } = capturing()
    log.info(
      {
        phone: PHONE, text: TEXT, waId: PHONE, to: PHONE,
        customer: { name: NAME },
        message: { from: PHONE, body: TEXT, profileName: NAME, caption: TEXT },
        config: { token: SECRET, appSecret: SECRET, apiKey: SECRET },
        req: { headers: { authorization: `Bearer ${SECRET}`, 'x-hub-signature-256': `sha256=${SECRET}`, cookie: SECRET } },
        conversationId: 7,
      },
      'a careless line',
    )
    for (const s of [PHONE, TEXT, NAME, SECRET]) expect(raw[0]).not.toContain(s)
    expect(lines[0]).toMatchObject({ phone: '[redacted]', customer: '[redacted]', message: { from: '[redacted]' }, conversationId: 7 })
  })

  it('keeps the runtime names of a `runtime switched` line under from and to, and nothing else', () => {
    const { log, lines } = capturing()
    log.warn({ from: 'queues', to: 'in-process', reason: 'redis unreachable' }, 'runtime switched')
    log.info({ from: PHONE, to: 'queues-ish', message: { from: 'in-process', to: PHONE } }, 'a careless line')
    expect(lines[0]).toMatchObject({ from: 'queues', to: 'in-process', reason: 'redis unreachable' })
    expect(lines[1]).toMatchObject({ from: '[redacted]', to: '[redacted]', message: { from: 'in-process', to: '[redacted]' } })
  })

  it('gives Fastify\'s request loggers the same serializers', async () => {
    const { log, lines, raw } = capturing()
    const app = Fastify({ loggerInstance: log })
    app.get('/api/contacts/:waId/export', async (request) => {
      request.log.error({ err: parseError(), req: request }, 'request failed')
      return {}
    })
    await app.inject({ method: 'GET', url: `/api/contacts/${PHONE}/export?hub.verify_token=${SECRET}` })
    await app.close()
    const line = lines.find((l) => l.msg === 'request failed')
    expect(line).toMatchObject({ err: { type: 'SyntaxError' }, req: { method: 'GET', url: '/api/contacts/[number]/export' } })
    for (const s of [PHONE, NAME.slice(0, 9), SECRET]) expect(raw.join('')).not.toContain(s)
  })
})
