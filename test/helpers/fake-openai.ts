import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'

/**
 * A fake OpenAI-compatible server for tests: a real `node:http` server on 127.0.0.1 that
 * implements `POST /v1/chat/completions`, so the real SDK, its timeouts and errors run.
 *
 * @example
 * const fake = await startFakeOpenAi()
 * fake.script({ json: { department: 'financeiro', reply: 'Oi!', resolved: false, handoff: false, confidence: 0.9 } })
 * // AI_PROVIDER=openai OPENAI_BASE_URL=fake.url OPENAI_API_KEY=sk-test ...
 * await fake.close()
 * @internal test-only
 */
export interface FakeOpenAi {
  /** Base URL for the SDK / `OPENAI_BASE_URL`: `http://127.0.0.1:PORT/v1`. */
  readonly url: string
  /** Every request received, oldest first (also failed and unknown routes). */
  readonly requests: FakeOpenAiRequest[]
  /** Queues answers for the next chat completions, in order; when none is queued, the default answers. */
  script(...answers: FakeOpenAiAnswer[]): void
  /**
   * Queues answers of `POST /v1/audio/transcriptions`, in order; when none is queued it
   * answers `{ text: 'preciso da segunda via do boleto' }`. The request body is recorded raw
   * (multipart), with the audio's bytes as text.
   */
  scriptTranscripts(...answers: Array<{ text: string } | { status: number }>): void
  /**
   * Holds the answer to the next chat completion until the returned function is called (a
   * turn kept in flight while the test changes the world under it). Unreleased, it never answers.
   */
  holdNext(): () => void
  /**
   * Holds the answer to the next request that `match` accepts until `release()`: the caller
   * is then waiting on the model, as long as the test needs. `arrived` resolves with that request.
   */
  hold(match?: (request: FakeOpenAiRequest) => boolean): FakeOpenAiHold
  /** Resolves once at least `count` requests have arrived. @defaultValue count = 1 */
  waitForRequests(count?: number, signal?: AbortSignal): Promise<FakeOpenAiRequest[]>
  /** Open client sockets, for leak checks in `afterEach`. */
  openConnections(): Promise<number>
  /** Stops the server and drops open sockets. Idempotent. */
  close(): Promise<void>
}

export interface FakeOpenAiHold {
  arrived: Promise<FakeOpenAiRequest>
  release(): void
}

export interface FakeOpenAiRequest {
  method: string
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string
  /** Lower-cased header names, including `authorization`. */
  headers: IncomingHttpHeaders
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: any
}

/**
 * One scripted answer:
 * - `{ json }`: a 200 chat.completion whose message content is `JSON.stringify(json)`;
 * - `{ content }`: a 200 chat.completion with this exact content (e.g. invalid JSON);
 * - `{ refusal }`: a 200 chat.completion whose message refuses (content null);
 * - `{ status, body? }`: a failure with this status and body (default: an OpenAI-style error).
 */
export type FakeOpenAiAnswer =
  | { json: unknown }
  | { content: string }
  | { refusal: string }
  | { status: number; body?: unknown }

export interface FakeOpenAiOptions {
  /** Delay before every answer. @defaultValue 0 */
  latencyMs?: number
}

/**
 * Starts the fake. Default answer (nothing scripted): department = the first id of the
 * request's json_schema `department` enum (null without one), reply = `echo: ` + the last
 * user message, resolved false, handoff false, confidence 0.9.
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = []
  const queued: FakeOpenAiAnswer[] = []
  const transcripts: Array<{ text: string } | { status: number }> = []
  const waiters = new Set<() => void>()
  const timers = new Set<NodeJS.Timeout>()
  const holds: Array<{ match: (r: FakeOpenAiRequest) => boolean; arrive: (r: FakeOpenAiRequest) => void; released: Promise<void> }> = []

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { message: String(err), type: 'fake_error', code: null } })
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    const request: FakeOpenAiRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: parseJson(raw) }
    const seq = requests.push(request)
    for (const wake of waiters) wake()
    const hold = holds.findIndex((h) => h.match(request))
    if (hold >= 0) {
      const [h] = holds.splice(hold, 1)
      h!.arrive(request)
      await h!.released
    }

    if (request.method === 'POST' && request.path.split('?')[0] === '/v1/audio/transcriptions') {
      const answer = transcripts.shift() ?? { text: 'preciso da segunda via do boleto' }
      return 'status' in answer ? send(res, answer.status, openAiError('scripted failure', 'server_error')) : send(res, 200, { text: answer.text })
    }
    const isCompletion = request.method === 'POST' && request.path.split('?')[0] === '/v1/chat/completions'
    const answer: FakeOpenAiAnswer = isCompletion
      ? (queued.shift() ?? { json: defaultReply(request.body) })
      : { status: 404, body: openAiError(`no route ${request.method} ${request.path}`, 'invalid_request_error') }
    const respond = () => {
      if ('status' in answer) send(res, answer.status, answer.body ?? openAiError('scripted failure', 'server_error'))
      else if ('refusal' in answer) send(res, 200, completion(request.body, null, seq, answer.refusal))
      else send(res, 200, completion(request.body, 'json' in answer ? JSON.stringify(answer.json) : answer.content, seq))
    }
    if ((options.latencyMs ?? 0) <= 0) return respond()
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!res.destroyed) respond()
    }, options.latencyMs)
    timers.add(timer)
    res.on('close', () => {
      clearTimeout(timer)
      timers.delete(timer)
    })
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  let closing: Promise<void> | undefined

  function hold(match: (request: FakeOpenAiRequest) => boolean = () => true): FakeOpenAiHold {
    let arrive!: (r: FakeOpenAiRequest) => void
    let release!: () => void
    const arrived = new Promise<FakeOpenAiRequest>((r) => (arrive = r))
    const released = new Promise<void>((r) => (release = r))
    holds.push({ match, arrive, released })
    return { arrived, release }
  }


  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...answers) => void queued.push(...answers),
    scriptTranscripts: (...answers) => void transcripts.push(...answers),
    holdNext: () => hold((r) => r.method === 'POST' && r.path.split('?')[0] === '/v1/chat/completions').release,
    hold,
    waitForRequests(count = 1, signal) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return
          waiters.delete(check)
          resolve(requests)
        }
        if (signal?.aborted) return reject(signal.reason)
        signal?.addEventListener(
          'abort',
          () => {
            waiters.delete(check)
            reject(signal.reason)
          },
          { once: true },
        )
        waiters.add(check)
        check()
      })
    },
    openConnections: () =>
      new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n)))),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close((err) => (err ? reject(err) : resolve()))
        // The SDK keeps connections alive; without this, close() waits for them to time out.
        server.closeAllConnections()
      })
      return closing
    },
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw // not JSON: recorded as text, which is what the test wants to see
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function openAiError(message: string, type: string): unknown {
  return { error: { message, type, param: null, code: null } }
}

function defaultReply(body: any): unknown {
  const enumValues: unknown[] = body?.response_format?.json_schema?.schema?.properties?.department?.enum ?? []
  const lastUser = [...(body?.messages ?? [])].reverse().find((m: any) => m?.role === 'user')
  return {
    department: enumValues.find((v) => typeof v === 'string') ?? null,
    reply: `echo: ${typeof lastUser?.content === 'string' ? lastUser.content : ''}`,
    resolved: false,
    handoff: false,
    confidence: 0.9,
  }
}

function completion(body: any, content: string | null, id: number, refusal: string | null = null): unknown {
  return {
    id: `chatcmpl-fake-${id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof body?.model === 'string' ? body.model : 'fake-model',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  }
}
