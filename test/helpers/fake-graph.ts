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
}

export interface ScriptedResponse {
  /** HTTP status. @defaultValue 200 */
  status?: number
  /** Sent as JSON unless it is a Buffer or a string. */
  body?: unknown
  headers?: Record<string, string>
  /** Never answer; the client's timeout must fire. `close()` destroys the socket. */
  hang?: boolean
}

/** Answers one request, or returns `undefined` to let the default answer it. */
export type GraphHandler = (request: RecordedRequest) => ScriptedResponse | undefined

export interface FakeGraph {
  /** Base URL including the version, e.g. `http://127.0.0.1:41234/v21.0`. */
  readonly url: string
  /** Every request so far, in arrival order (a live array: read, don't mutate). */
  readonly requests: readonly RecordedRequest[]
  /**
   * Queues one scripted answer for the next request of `kind` (default `'send'`); several
   * calls queue several answers, used in order. Queued answers win over the handler.
   */
  failNext(response: ScriptedResponse, options?: { kind?: GraphRequestKind }): void
  /** Replaces the handler consulted before the default answers; `undefined` removes it. */
  setHandler(handler: GraphHandler | undefined): void
  /** Makes `GET /{version}/{id}` answer metadata whose `url` serves these bytes. */
  addMedia(id: string, media: { bytes: Buffer; mimeType: string }): void
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

export async function startFakeGraph(): Promise<FakeGraph> {
  const requests: RecordedRequest[] = []
  const queued = new Map<GraphRequestKind, ScriptedResponse[]>()
  const media = new Map<string, { bytes: Buffer; mimeType: string }>()
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
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

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
    }
    requests.push(record)

    const answer = queued.get(record.kind)?.shift() ?? handler?.(record) ?? defaultAnswer(record)
    if (answer.hang === true) return
    const status = answer.status ?? 200
    const isRaw = Buffer.isBuffer(answer.body) || typeof answer.body === 'string'
    const payload = isRaw ? (answer.body as Buffer | string) : JSON.stringify(answer.body ?? {})
    res.writeHead(status, { 'content-type': isRaw ? 'application/octet-stream' : 'application/json', ...answer.headers })
    record.status = status
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
            file_size: item.bytes.length,
            id,
          },
        }
      }
      case 'media-download': {
        const item = media.get(decodeURIComponent(segments[1] ?? ''))
        if (item === undefined) return graphError(404, 100, 'media not found')
        return { body: item.bytes, headers: { 'content-type': item.mimeType } }
      }
      default:
        return graphError(404, 100, 'Unknown path components')
    }
  }

  return {
    url: `${origin}/${VERSION}`,
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
