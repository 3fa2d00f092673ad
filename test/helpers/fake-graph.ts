/**
 * A fake WhatsApp Graph API: a real `node:http` server on 127.0.0.1 that records every
 * request and answers like the Cloud API, or as a test scripts it. Point the app at
 * `fake.url` (e.g. `WHATSAPP_API_BASE_URL`) so the real HTTP client, timeouts and error
 * mapping run (STYLE.md §8).
 *
 * ```ts
 * const fake = await startFakeGraph()
 * fake.failNext({ status: 400, body: { error: { code: 131047, message: 'Re-engagement message' } } })
 * // ... run the code under test ...
 * const [send] = await fake.waitForSends(1)
 * await fake.close()
 * ```
 */
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The Graph API version in {@link FakeGraph.url}; the fake accepts any version segment. */
const VERSION = 'v21.0'

/**
 * What a request was, by route: `send` and `mark-read` are POST `/{version}/{phone-number-id}/messages`
 * (mark-read when the body has `status: 'read'`), `media-lookup` is GET `/{version}/{media-id}`,
 * `media-download` is GET on the URL a lookup answered.
 */
export type GraphRequestKind = 'send' | 'mark-read' | 'media-lookup' | 'media-download' | 'other'

export interface RecordedRequest {
  kind: GraphRequestKind
  method: string
  /** Path and query, e.g. `/v21.0/1000000001/messages`. */
  path: string
  headers: IncomingHttpHeaders
  /** Parsed JSON when the body is JSON, the raw text otherwise, `undefined` when empty. */
  body: unknown
  /** The status the fake answered; `undefined` while pending or for a `hang`. */
  status: number | undefined
  /** When the request's headers arrived, on `performance.now()`'s clock (ms). */
  receivedAt: number
  /**
   * Response body bytes handed to the socket so far. A generated body is written with
   * backpressure, so once the client stops reading this stays within the socket buffers
   * (a few MB on loopback) of what the client took.
   */
  responseBytes: number
  /** Resolves once the response has ended or its connection closed, whichever comes first. */
  settled: Promise<void>
}

export interface ScriptedResponse {
  /** HTTP status. @defaultValue 200 */
  status?: number
  /** Sent as JSON unless it is a Buffer or a string. */
  body?: unknown
  headers?: Record<string, string>
  /** Never answer; the client's timeout must fire. `close()` destroys the socket. */
  hang?: boolean
  /**
   * Answer only once this settles (either way): the request is recorded at once and its
   * answer held, so a test can act while the client waits on Meta (a send in flight).
   */
  after?: Promise<unknown>
  /**
   * A body of `size` bytes made up on the fly (no buffer of that size exists), written in
   * 64 KiB chunks as fast as the client reads. With `chunked` there is no Content-Length.
   */
  generated?: { size: number; chunked?: boolean }
}

/** What `addMedia` serves: given bytes, or a generated body of `size` bytes. */
export type FakeMedia = { bytes: Buffer; mimeType: string } | { size: number; chunked?: boolean; mimeType: string }

/** Answers one request, or returns `undefined` to let the default answer it. */
export type GraphHandler = (request: RecordedRequest) => ScriptedResponse | undefined

export interface FakeGraph {
  /** Base URL including the version, e.g. `http://127.0.0.1:41234/v21.0`. */
  readonly url: string
  /** Scheme, host and port, e.g. `http://127.0.0.1:41234`; media is served under `/media-download/{id}`. */
  readonly origin: string
  /** Every request so far, in arrival order (a live array: read, don't mutate). */
  readonly requests: readonly RecordedRequest[]
  /**
   * Queues one scripted answer for the next request of `kind` (default `'send'`); several
   * calls queue several answers, used in order. Queued answers win over the handler.
   */
  failNext(response: ScriptedResponse, options?: { kind?: GraphRequestKind }): void
  /** Replaces the handler consulted before the default answers; `undefined` removes it. */
  setHandler(handler: GraphHandler | undefined): void
  /** Makes `GET /{version}/{id}` answer metadata whose `url` serves this media. */
  addMedia(id: string, media: FakeMedia): void
  /**
   * Resolves with the accepted sends (answered 2xx) once there are at least `n`, as soon as
   * the n-th answer has been written. Rejects after `timeoutMs` (default 5,000) or on close.
   */
  waitForSends(n: number, options?: { timeoutMs?: number }): Promise<RecordedRequest[]>
  /** Stops the server and destroys open sockets. Idempotent. */
  close(): Promise<void>
}

interface Waiter {
  n: number
  resolve: (sends: RecordedRequest[]) => void
  reject: (err: Error) => void
}

export interface FakeGraphOptions {
  /** Address to listen on; another loopback address (127.0.0.2) makes a second, distinct host. @defaultValue '127.0.0.1' */
  host?: string
}

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const host = options.host ?? '127.0.0.1'
  const requests: RecordedRequest[] = []
  const queued = new Map<GraphRequestKind, ScriptedResponse[]>()
  const media = new Map<string, FakeMedia>()
  let waiters: Waiter[] = []
  let handler: GraphHandler | undefined
  let sendCount = 0
  let closing: Promise<void> | undefined

  const server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      // A test helper has no logger; a 500 makes the failure visible to the client under test.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: `fake graph failed: ${String(err)}`, code: 1 } }))
    })
  })
  server.listen(0, host)
  await once(server, 'listening')
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`

  const accepted = () => requests.filter((r) => r.kind === 'send' && r.status !== undefined && r.status < 300)

  function settleWaiters(): void {
    const sends = accepted()
    waiters = waiters.filter((w) => {
      if (sends.length < w.n) return true
      w.resolve(sends.slice())
      return false
    })
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const path = req.url ?? '/'
    const body = parseBody(text)
    const record: RecordedRequest = {
      kind: kindOf(req.method ?? 'GET', path, body),
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      status: undefined,
      receivedAt,
      responseBytes: 0,
      settled: new Promise<void>((resolve) => res.once('close', resolve)),
    }
    requests.push(record)

    const answer = queued.get(record.kind)?.shift() ?? handler?.(record) ?? defaultAnswer(record)
    if (answer.hang === true) return
    if (answer.after !== undefined) {
      await answer.after.catch(() => {})
      // The client gave up waiting (its timeout): nothing was answered, nothing accepted.
      if (res.destroyed) return
    }
    const status = answer.status ?? 200
    if (answer.generated !== undefined) {
      const { size, chunked = false } = answer.generated
      res.writeHead(status, { 'content-type': 'application/octet-stream', ...(chunked ? {} : { 'content-length': String(size) }), ...answer.headers })
      record.status = status
      await writeGenerated(res, size, (n) => (record.responseBytes += n))
      return
    }
    const isRaw = Buffer.isBuffer(answer.body) || typeof answer.body === 'string'
    const payload = isRaw ? (answer.body as Buffer | string) : JSON.stringify(answer.body ?? {})
    res.writeHead(status, { 'content-type': isRaw ? 'application/octet-stream' : 'application/json', ...answer.headers })
    record.status = status
    record.responseBytes = Buffer.byteLength(payload)
    res.end(payload, () => {
      if (record.kind === 'send') settleWaiters()
    })
  }

  function defaultAnswer(record: RecordedRequest): ScriptedResponse {
    const segments = new URL(record.path, origin).pathname.split('/').filter(Boolean)
    switch (record.kind) {
      case 'send': {
        sendCount += 1
        const b = (record.body ?? {}) as { to?: unknown; recipient?: unknown }
        const input = b.to ?? b.recipient
        return {
          body: {
            messaging_product: 'whatsapp',
            contacts: [{ input, wa_id: input }],
            messages: [{ id: `wamid.fake.${sendCount}` }],
          },
        }
      }
      case 'mark-read':
        return { body: { success: true } }
      case 'media-lookup': {
        const id = decodeURIComponent(segments[1] ?? '')
        const item = media.get(id)
        if (item === undefined) return graphError(404, 100, `Unsupported get request. Object with ID '${id}' does not exist`)
        return {
          body: {
            messaging_product: 'whatsapp',
            url: `${origin}/media-download/${encodeURIComponent(id)}`,
            mime_type: item.mimeType,
            sha256: 'fake-sha256',
            file_size: 'bytes' in item ? item.bytes.length : item.size,
            id,
          },
        }
      }
      case 'media-download': {
        const item = media.get(decodeURIComponent(segments[1] ?? ''))
        if (item === undefined) return graphError(404, 100, 'media not found')
        const headers = { 'content-type': item.mimeType }
        return 'bytes' in item ? { body: item.bytes, headers } : { generated: { size: item.size, chunked: item.chunked ?? false }, headers }
      }
      default:
        return graphError(404, 100, 'Unknown path components')
    }
  }

  return {
    url: `${origin}/${VERSION}`,
    origin,
    requests,
    failNext(response, options = {}) {
      const kind = options.kind ?? 'send'
      queued.set(kind, [...(queued.get(kind) ?? []), response])
    },
    setHandler(next) {
      handler = next
    },
    addMedia(id, item) {
      media.set(id, item)
    },
    waitForSends(n, options = {}) {
      const sends = accepted()
      if (sends.length >= n) return Promise.resolve(sends)
      const timeoutMs = options.timeoutMs ?? 5_000
      return new Promise<RecordedRequest[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter)
          reject(new Error(`fake graph: expected ${n} accepted send(s) within ${timeoutMs} ms; got ${accepted().length}`))
        }, timeoutMs)
        const waiter: Waiter = {
          n,
          resolve: (s) => {
            clearTimeout(timer)
            resolve(s)
          },
          reject: (err) => {
            clearTimeout(timer)
            reject(err)
          },
        }
        waiters.push(waiter)
      })
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const w of waiters) w.reject(new Error('fake graph closed while waiting for sends'))
        waiters = []
        server.close((err) => (err === undefined ? resolve() : reject(err)))
        // Keep-alive and hanging sockets would hold close() open; end them now.
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/**
 * Writes `size` bytes in 64 KiB chunks, waiting whenever the socket's buffer is full, and
 * stops early when the client goes away.
 */
async function writeGenerated(res: ServerResponse, size: number, onWrite: (bytes: number) => void): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0xab)
  for (let sent = 0; sent < size && !res.destroyed; ) {
    const n = Math.min(chunk.length, size - sent)
    sent += n
    onWrite(n)
    if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) await drainedOrClosed(res)
  }
  if (!res.destroyed) res.end()
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}

function kindOf(method: string, path: string, body: unknown): GraphRequestKind {
  const segments = new URL(path, 'http://x').pathname.split('/').filter(Boolean)
  if (method === 'POST' && segments.length === 3 && segments[2] === 'messages') {
    return (body as { status?: unknown } | undefined)?.status === 'read' ? 'mark-read' : 'send'
  }
  if (method === 'GET' && segments.length === 2 && segments[0] === 'media-download') return 'media-download'
  if (method === 'GET' && segments.length === 2) return 'media-lookup'
  return 'other'
}

function parseBody(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Meta's error body shape: `{ error: { message, type, code, fbtrace_id } }`. */
export function graphError(status: number, code: number, message: string): ScriptedResponse {
  return { status, body: { error: { message: `(#${code}) ${message}`, type: 'OAuthException', code, fbtrace_id: 'FAKEtrace' } } }
}
