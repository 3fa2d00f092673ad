import { inspect } from 'node:util'
import { sql } from 'drizzle-orm'
import { request } from 'undici'
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createOpenAiProvider } from '../../src/ai/openai-provider.js'
import { secret } from '../../src/config/index.js'
import { serializeError, type SafeError } from '../../src/log/index.js'
import { schema, type Database } from '../../src/store/index.js'
import { createCloudClient } from '../../src/whatsapp/index.js'
import { turn } from '../ai/turn.js'
import { createTestDatabase, ENGINES, openMigrated, type TestDatabase } from '../helpers/db.js'
import { startFakeGraph, type FakeGraph } from '../helpers/fake-graph.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { freePort } from '../helpers/redis.js'

/** The customer every provoked error quotes back, one way or another. */
const PHONE = '5511987654321'
const NAME = 'Maristela Gouveia'
const TEXT = 'quero a segunda via do boleto de abril'
const TOKEN = 'test-token-placeholder'
const PERSONAL = [PHONE, NAME, TEXT, TOKEN]

/**
 * The error, thrown for real, quotes the customer (else the test proves nothing), and what the
 * log gets of it does not, anywhere, stack included; each stack's first line names the class
 * and, for our errors only, the message.
 */
function safe(err: unknown, quoted: readonly string[] = PERSONAL): SafeError {
  const whole = inspect(err, { depth: 10 })
  if (quoted.length > 0) expect(quoted.some((p) => whole.includes(p)), `the provoked error should quote the customer: ${whole}`).toBe(true)
  const out = serializeError(err)
  const text = JSON.stringify(out)
  for (const p of [...PERSONAL, ...quoted]) expect(text, `serialized error carries ${p}`).not.toContain(p)
  for (let e: SafeError | undefined = out; e !== undefined; e = e.cause) {
    if (e.stack !== undefined) expect(e.stack.split('\n')[0]).toBe(`${e.type}: ${e.message ?? '[message omitted]'}`)
    if (e.stack !== undefined) expect(e.stack.split('\n').slice(1).every((l) => /^ {4}at /.test(l))).toBe(true)
  }
  return out
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(() => expect.fail('expected a rejection'), (e: unknown) => e)
}

describe.each(ENGINES)('database errors (%s)', (engine) => {
  let t: TestDatabase
  let database: Database
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    await database.db.insert(schema.contacts).values({ customerKey: `wa:${PHONE}`, waId: PHONE, profileName: NAME })
  })
  afterAll(async () => {
    await database?.close()
    await t?.drop()
  })

  it('keeps the SQLSTATE, table and constraint of a unique violation, not its detail or params', async () => {
    const err = await rejection(database.db.insert(schema.contacts).values({ customerKey: `wa:${PHONE}`, waId: PHONE, profileName: NAME }))
    expect((err as Error).message).toMatch(/^Failed query/)
    expect(safe(err)).toMatchObject({
      type: 'DrizzleQueryError',
      cause: { type: 'DatabaseError', code: '23505', table: 'contacts', constraint: 'contacts_customer_key_unique', severity: 'ERROR' },
    })
  })

  it('keeps the SQLSTATE of a value the column refuses, not the value its message quotes', async () => {
    const err = await rejection(database.db.execute(sql`select ${`${NAME} ${PHONE}`}::int`))
    expect(safe(err)).toMatchObject({ type: 'DrizzleQueryError', cause: { type: 'DatabaseError', code: '22P02' } })
  })

  it('keeps nothing of a query whose text holds the values', async () => {
    const err = await rejection(database.db.execute(sql.raw(`select '${TEXT}'::int`)))
    expect(safe(err)).toMatchObject({ type: 'DrizzleQueryError', cause: { code: '22P02' } })
  })
})

describe('the AI provider (fake OpenAI echoing the prompt)', () => {
  let kb: KnowledgeBase
  let fake: FakeOpenAi
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    fake = await startFakeOpenAi()
  })
  afterAll(async () => {
    await fake?.close()
  })
  const ask = (timeoutMs = 5_000) =>
    rejection(createOpenAiProvider({ apiKey: secret(TOKEN), baseURL: fake.url, model: 'gpt-test', timeoutMs, kb }).reply(turn(TEXT)))

  it('keeps our message and the HTTP status of a 500 whose body quotes the prompt', async () => {
    fake.script({ status: 500, body: { error: { message: `failed on "${TEXT}" for ${NAME} ${PHONE}`, type: 'server_error', code: PHONE, param: TEXT } } })
    expect(safe(await ask())).toMatchObject({
      type: 'AiProviderError', code: 'ATD_AI_PROVIDER', message: 'the AI API answered HTTP 500', retryable: true,
      cause: { type: 'InternalServerError', status: 500 },
    })
  })

  it('keeps the class of a JSON parse error, not the answer it quotes', async () => {
    fake.script({ content: `Olá ${NAME}, você disse: ${TEXT}` })
    // V8 quotes the first characters of what it could not parse.
    expect(safe(await ask(), ['Olá Marist'])).toMatchObject({ code: 'ATD_AI_PROVIDER', cause: { type: 'SyntaxError' } })
  })

  it('keeps the timeout and its class', async () => {
    const release = fake.holdNext()
    const out = safe(await ask(200).finally(release), [])
    expect(out).toMatchObject({ code: 'ATD_AI_PROVIDER', message: 'the AI API did not answer within 200 ms', cause: { type: 'APIConnectionTimeoutError' } })
  })
})

describe('the Graph API (fake echoing the recipient and the text)', () => {
  let graph: FakeGraph
  beforeAll(async () => {
    graph = await startFakeGraph()
  })
  afterAll(async () => {
    await graph?.close()
  })
  const send = (timeoutMs = 2_000) =>
    rejection(
      createCloudClient({ apiBaseUrl: graph.url, token: secret(TOKEN), timeoutMs }).sendText({
        phoneNumberId: '1000000001', to: { waId: PHONE, userId: undefined, profileName: undefined }, text: TEXT,
      }),
    )

  it('keeps the Meta code and HTTP status of a 400 whose title quotes the text', async () => {
    graph.failNext({ status: 400, body: { error: { code: 100, message: `(#100) bad "${TEXT}" to ${PHONE}`, error_user_title: `${NAME}: ${TEXT}` } } })
    const err = await send()
    expect(safe(err)).toEqual(expect.objectContaining({
      type: 'WhatsAppApiError', code: 'ATD_WHATSAPP_API', message: 'WhatsApp send failed: HTTP 400, Meta code 100', metaCode: 100, httpStatus: 400, retryable: false,
    }))
  })

  it('keeps a timeout and the class of its abort reason', async () => {
    graph.failNext({ hang: true })
    const out = safe(await send(100), [])
    expect(out).toMatchObject({ message: 'WhatsApp send timed out after 100 ms', cause: { type: 'DOMException', name: 'TimeoutError' } })
  })
})

describe('network, validation and aggregate errors', () => {
  it('keeps the code and syscall of a refused connection (undici), not the address', async () => {
    const port = await freePort()
    const err = await rejection(request(`http://127.0.0.1:${port}/${PHONE}?text=${encodeURIComponent(TEXT)}`))
    const out = serializeError(err)
    expect(out).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' })
    expect(JSON.stringify(out)).not.toContain(String(port))
  })

  it('keeps the cause of fetch failed, and its code', async () => {
    const port = await freePort()
    const err = await rejection(fetch(`http://127.0.0.1:${port}/?to=${PHONE}`))
    const out = serializeError(err)
    expect(out).toMatchObject({ type: 'TypeError', cause: { code: 'ECONNREFUSED' } })
    expect(JSON.stringify(out)).not.toContain(PHONE)
  })

  it('keeps the paths and codes of zod issues, not the values', () => {
    const parsed = z.object({ department: z.enum(['financeiro']), reply: z.string() }).strict().safeParse({ department: TEXT, reply: 1, [NAME]: PHONE })
    expect(parsed.success).toBe(false)
    const out = safe(parsed.error)
    expect(out.type).toBe('ZodError')
    expect(out.issues).toEqual(expect.arrayContaining([{ code: 'invalid_value', path: ['department'] }, { code: 'invalid_type', path: ['reply'] }]))
  })

  it('follows an AggregateError\'s errors and a cause chain, to a bounded depth', async () => {
    const aggregate = await rejection(Promise.any([Promise.reject(new Error(TEXT)), Promise.reject(new RangeError(PHONE))]))
    const out = safe(aggregate)
    expect(out).toMatchObject({ type: 'AggregateError', errors: [{ type: 'Error' }, { type: 'RangeError' }] })

    let chain: Error = new Error(NAME)
    for (let i = 0; i < 20; i++) chain = new Error(`${TEXT} ${i}`, { cause: chain })
    let depth = 0
    for (let e: SafeError | undefined = safe(chain); e !== undefined; e = e.cause) depth++
    expect(depth).toBe(6)
  })

  it('reduces a thrown non-error to its type', () => {
    expect(serializeError(`${NAME} ${PHONE}`)).toEqual({ type: 'string' })
    expect(serializeError({ message: TEXT })).toEqual({ type: 'object' })
    expect(serializeError(null)).toEqual({ type: 'null' })
  })

  it('keeps only frame lines when a message was changed after the stack was taken', () => {
    const err = new Error(`first ${TEXT}\n    at fake (${PHONE})`)
    err.message = 'changed'
    const out = serializeError(err)
    expect(out.stack?.split('\n')[0]).toBe('Error: [message omitted]')
    expect(out.stack).not.toContain(PHONE)
    expect(out.stack).toMatch(/\n {4}at .*serialize-error\.test\.ts:\d+:\d+/)
  })
})
