import { afterEach, describe, expect, it } from 'vitest'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'

describe('fake OpenAI server', () => {
  let fake: FakeOpenAi | undefined
  afterEach(async () => {
    await fake?.close()
  })

  const post = (path: string, body: unknown) =>
    fetch(`${fake!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

  it('listens on 127.0.0.1 under /v1', async () => {
    fake = await startFakeOpenAi()
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
  })

  it('answers scripted answers in order, then the default', async () => {
    fake = await startFakeOpenAi()
    fake.script({ content: 'first' }, { status: 503 })
    const first: any = await (await post('/chat/completions', { messages: [] })).json()
    expect(first.choices[0].message.content).toBe('first')
    expect((await post('/chat/completions', {})).status).toBe(503)
    const third: any = await (await post('/chat/completions', { messages: [{ role: 'user', content: 'x' }] })).json()
    expect(JSON.parse(third.choices[0].message.content)).toMatchObject({ department: null, reply: 'echo: x' })
  })

  it('answers a scripted refusal with null content', async () => {
    fake = await startFakeOpenAi()
    fake.script({ refusal: 'no' })
    const body: any = await (await post('/chat/completions', {})).json()
    expect(body.choices[0].message).toMatchObject({ content: null, refusal: 'no' })
  })

  it('answers 404 on other routes and records them too', async () => {
    fake = await startFakeOpenAi()
    expect((await post('/embeddings', {})).status).toBe(404)
    expect(fake.requests[0]?.path).toBe('/v1/embeddings')
  })

  it('resolves waitForRequests when requests arrive', async () => {
    fake = await startFakeOpenAi()
    const waiting = fake.waitForRequests(2, AbortSignal.timeout(5_000))
    await post('/chat/completions', {})
    await post('/chat/completions', {})
    expect(await waiting).toHaveLength(2)
  })

  it('closes idempotently, dropping held responses', async () => {
    fake = await startFakeOpenAi({ latencyMs: 60_000 })
    const pending = post('/chat/completions', {}).catch((err: unknown) => err)
    await fake.waitForRequests(1, AbortSignal.timeout(5_000))
    await Promise.all([fake.close(), fake.close()])
    expect(await pending).toBeInstanceOf(Error)
    expect(await fake.openConnections()).toBe(0)
  })
})
