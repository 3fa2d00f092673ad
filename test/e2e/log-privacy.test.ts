import { setTimeout as delay } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES, type Engine } from '../helpers/db.js'
import { startStack, type RuntimeKind, type Stack } from '../helpers/e2e.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

/**
 * Issue #8, finding 3: with the database, the AI and the Graph API failing in every way we
 * could provoke — each failure quoting the customer back — no log line carries a phone
 * number, a profile name or a message text. Every failure's log line is awaited (so each
 * path really ran and kept its diagnosis: code, SQLSTATE, status), and the last test scans
 * the whole output; `stop()` scans it once more (`test/helpers/log-scan.ts`).
 */

interface Customer {
  phone: string
  name: string
  text: string
}

/** One customer per failure, so a finding names the path that leaked. */
const CUSTOMERS = {
  ingestKilled: { phone: '5511987650001', name: 'Josefina Albuquerque', text: 'meu boleto de março veio em dobro, socorro' },
  turnKilled: { phone: '5521987650002', name: 'Reginaldo Pimentel', text: 'quero mudar o vencimento para o dia vinte' },
  ai500: { phone: '5531987650003', name: 'Filomena Castanheira', text: 'a fibra caiu de novo no meu bairro' },
  aiGarbage: { phone: '5541987650004', name: 'Anacleto Vasconcelos', text: 'preciso trocar a senha do wifi agora' },
  aiSchema: { phone: '5551987650005', name: 'Gertrudes Montenegro', text: 'minha fatura veio com juros indevidos' },
  aiTimeout: { phone: '5561987650006', name: 'Epaminondas Ribeiro', text: 'o técnico não apareceu na visita marcada' },
  ai400: { phone: '5571987650007', name: 'Clementina Bragança', text: 'quero cancelar o plano de quinhentos mega' },
  graph400: { phone: '5581987650008', name: 'Deusdedit Carvalhal', text: 'meu roteador pisca luz vermelha sem parar' },
  graph502: { phone: '5591987650009', name: 'Hermengarda Quintela', text: 'mudei de endereço, como transfiro a linha' },
  markRead: { phone: '5512987650010', name: 'Virgulino Sampaio', text: 'quanto custa o ponto adicional de tv' },
} satisfies Record<string, Customer>

const PAIRS: Array<[RuntimeKind, Engine]> = ([['in-process', 'pglite'], ['redis', 'postgres']] as Array<[RuntimeKind, Engine]>).filter(([, e]) =>
  ENGINES.includes(e),
)

function webhookFrom(c: Customer, wamid: string): Record<string, unknown> {
  const message = { ...textMessage(wamid, c.text), from: c.phone, timestamp: String(Math.floor(Date.now() / 1000)) }
  return webhookWith(message, { contacts: [{ profile: { name: c.name }, wa_id: c.phone }] })
}

/** What a careless upstream answers: the request quoted back, personal data and all. */
const echo = (c: Customer) => `for ${c.name} (+${c.phone}): "${c.text}"`

type Line = Record<string, any>

describe.each(PAIRS)('logs under failures carry no personal data (%s runtime, %s)', (runtime, engine) => {
  let stack: Stack
  let openai: FakeOpenAi
  let accepted = 0
  const sentTo = async (c: Customer) => {
    accepted += 1
    const sends = await stack.graph.waitForSends(accepted, { timeoutMs: 20_000 })
    expect(sends.map((s) => (s.body as { to: string }).to)).toContain(c.phone)
  }
  const logged = async (match: (l: Line) => boolean): Promise<Line> => stack.atende.waitForLog((l) => match(l as Line))
  let wamids = 0
  const post = async (c: Customer) => (await stack.post(webhookFrom(c, `wamid.PRIV${++wamids}`))).status

  beforeAll(async () => {
    openai = await startFakeOpenAi()
    stack = await startStack(runtime, engine, {
      AI_PROVIDER: 'openai',
      OPENAI_API_KEY: 'test-openai-key',
      OPENAI_BASE_URL: openai.url,
      AI_TIMEOUT_MS: '3000',
      WHATSAPP_TIMEOUT_MS: '3000',
      QUEUE_AI_RESPONSE_ATTEMPTS: '3',
      QUEUE_AI_RESPONSE_BACKOFF_MS: '50',
      QUEUE_MESSAGE_PROCESSING_BACKOFF_MS: '50',
    })
  })
  afterAll(async () => {
    await stack?.close()
    await openai?.close()
  })

  describe.runIf(engine === 'postgres')('when PostgreSQL kills the statement', () => {
    let admin: pg.Client
    beforeAll(async () => {
      admin = new pg.Client({ connectionString: stack.database.url })
      await admin.connect()
    })
    afterAll(async () => {
      await admin?.end()
    })

    /**
     * Holds `messages` against writes and terminates every backend that waits on it, again and
     * again, until what `start` began settles: a killed group commit falls back to committing
     * row by row, which must be killed too before the webhook fails.
     */
    async function killWritersOfMessages<T>(start: () => Promise<T>): Promise<T> {
      await admin.query('begin')
      await admin.query('lock table messages in exclusive mode')
      let settled = false
      const outcome = start().finally(() => (settled = true))
      try {
        const deadline = Date.now() + 20_000
        while (!settled) {
          // pg_stat_activity is read once per transaction unless the snapshot is cleared.
          await admin.query('select pg_stat_clear_snapshot()')
          const { rows } = await admin.query<{ pid: number }>(
            `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
          )
          for (const { pid } of rows) await admin.query('select pg_terminate_backend($1)', [pid])
          if (Date.now() > deadline) throw new Error('the outcome did not settle within 20 s')
          await delay(20) // polling the server's own view of who waits; no event to await
        }
      } finally {
        await admin.query('rollback')
      }
      return outcome
    }

    it('answers 503 to a webhook whose commit was killed, and logs the failure, not the values', async () => {
      const c = CUSTOMERS.ingestKilled
      expect(await killWritersOfMessages(() => post(c))).toBe(503)
      const line = await logged((l) => l.msg === 'answering 503')
      expect(line.err).toMatchObject({ code: 'ATD_DATABASE_UNAVAILABLE', message: 'the database refused the commit', cause: { type: 'DrizzleQueryError' } })
      expect(await post(c)).toBe(200) // Meta's redelivery
      await sentTo(c)
    })

    it('retries a turn whose reply write was killed, and logs the SQLSTATE, not the reply', async () => {
      const c = CUSTOMERS.turnKilled
      const release = openai.holdNext()
      const asked = openai.requests.length
      expect(await post(c)).toBe(200)
      await openai.waitForRequests(asked + 1, AbortSignal.timeout(20_000))
      // The fake answers `echo: <text>`: the reply the turn writes quotes the customer.
      const line = await killWritersOfMessages(async () => {
        release()
        return logged((l) => l.msg === 'job failed; will retry' && l.err?.type === 'DrizzleQueryError')
      })
      expect(line.err.stack).toMatch(/^DrizzleQueryError: \[message omitted\]\n\s+at /)
      expect(line.err.cause).toMatchObject({ type: 'DatabaseError', code: '57P01', severity: 'FATAL' })
      await sentTo(c)
    })
  })

  it('retries an AI 500 whose body echoes the prompt, and logs the status only', async () => {
    const c = CUSTOMERS.ai500
    openai.script({ status: 500, body: { error: { message: `model overloaded ${echo(c)}`, type: 'server_error', param: c.text, code: c.phone } } })
    expect(await post(c)).toBe(200)
    const line = await logged((l) => l.msg === 'job failed; will retry' && l.err?.cause?.status === 500)
    expect(line.err).toMatchObject({ code: 'ATD_AI_PROVIDER', message: 'the AI API answered HTTP 500', cause: { type: 'InternalServerError' } })
    await sentTo(c)
  })

  it('retries an AI answer that is not JSON, whose parse error would quote it', async () => {
    const c = CUSTOMERS.aiGarbage
    openai.script({ content: `Olá ${echo(c)}, posso ajudar` })
    expect(await post(c)).toBe(200)
    const line = await logged((l) => l.msg === 'job failed; will retry' && l.err?.cause?.type === 'SyntaxError')
    expect(line.err.message).toMatch(/^the model returned invalid JSON \(\d+ chars\)$/)
    await sentTo(c)
  })

  it('retries an AI answer that does not match the schema, whose issues would quote it', async () => {
    const c = CUSTOMERS.aiSchema
    openai.script({ json: { department: { [c.text]: c.name }, reply: [c.phone], resolved: c.text, handoff: false, confidence: 1 } })
    expect(await post(c)).toBe(200)
    const line = await logged((l) => l.msg === 'job failed; will retry' && l.err?.cause?.type === 'ZodError')
    expect(line.err.cause.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['reply'] })]))
    await sentTo(c)
  })

  it('retries an AI call that timed out', async () => {
    const c = CUSTOMERS.aiTimeout
    const release = openai.holdNext()
    expect(await post(c)).toBe(200)
    // The SDK's own timeout and the turn's deadline are both AI_TIMEOUT_MS; either may fire first.
    const timedOut = ['the AI API did not answer within 3000 ms', 'the AI request was aborted']
    const line = await logged((l) => l.msg === 'job failed; will retry' && timedOut.includes(l.err?.message))
    release()
    expect(['APIConnectionTimeoutError', 'APIUserAbortError']).toContain(line.err.cause?.type)
    await sentTo(c)
  })

  it('hands off after an AI 400 that echoes the prompt, sending the apology', async () => {
    const c = CUSTOMERS.ai400
    openai.script({ status: 400, body: { error: { message: `invalid content ${echo(c)}`, type: 'invalid_request_error', param: 'messages', code: null } } })
    expect(await post(c)).toBe(200)
    const line = await logged((l) => l.msg === 'turn failed for good; sending the apology' && l.err?.cause?.status === 400)
    expect(line.err).toMatchObject({ code: 'ATD_AI_PROVIDER', retryable: false })
    await sentTo(c)
  })

  it('gives up on a Graph 400 that echoes the recipient and the text, and on its apology', async () => {
    const c = CUSTOMERS.graph400
    stack.graph.setHandler((r) =>
      r.kind === 'send' && (r.body as { to?: string }).to === c.phone
        ? { status: 400, body: { error: { message: `(#100) Invalid parameter ${echo(c)}`, error_user_title: `${c.name}: ${c.text}`, type: 'OAuthException', code: 100 } } }
        : undefined,
    )
    try {
      expect(await post(c)).toBe(200)
      const failed = await logged((l) => l.msg === 'turn failed for good; sending the apology' && l.err?.metaCode === 100)
      expect(failed.err).toMatchObject({ code: 'ATD_WHATSAPP_API', httpStatus: 400, message: 'WhatsApp send failed: HTTP 400, Meta code 100' })
      await logged((l) => l.msg === 'apology could not be sent either; the conversation is handed off' && l.err?.metaCode === 100)
    } finally {
      stack.graph.setHandler(undefined)
    }
  })

  it('retries a Graph 502 page that echoes the recipient and the text', async () => {
    const c = CUSTOMERS.graph502
    stack.graph.failNext({ status: 502, body: `<html><body>Bad gateway ${echo(c)}</body></html>` })
    expect(await post(c)).toBe(200)
    const line = await logged((l) => l.msg === 'job failed; will retry' && l.err?.httpStatus === 502)
    expect(line.err).toMatchObject({ code: 'ATD_WHATSAPP_API' })
    await sentTo(c)
  })

  it('carries on after a refused mark-as-read that echoes the customer', async () => {
    const c = CUSTOMERS.markRead
    stack.graph.failNext(
      { status: 400, body: { error: { message: `(#131009) Parameter value is not valid ${echo(c)}`, error_user_title: c.name, code: 131009 } } },
      { kind: 'mark-read' },
    )
    expect(await post(c)).toBe(200)
    const line = await logged((l) => l.msg === 'mark as read failed; continuing')
    expect(line.err).toMatchObject({ code: 'ATD_WHATSAPP_API', metaCode: 131009 })
    await sentTo(c)
  })

  it('wrote no phone number, profile name or message text of any customer in any line', () => {
    for (const c of Object.values(CUSTOMERS)) stack.atende.watch(c.phone, c.name, c.text)
    const scan = stack.atende.scanLogs()
    expect(scan.findings).toEqual([])
    // Every failure above logged its error: the scan read them, not an empty log.
    expect(scan.lines).toBeGreaterThanOrEqual(stack.atende.logs.length)
    expect(stack.atende.logs.filter((l) => l.err !== undefined).length).toBeGreaterThanOrEqual(engine === 'postgres' ? 11 : 9)
  })
})
