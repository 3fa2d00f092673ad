import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

/**
 * Benchmark fakes of the Graph API and an OpenAI-compatible server: like the test fakes but
 * keeping nothing per request (a 10-minute run would otherwise hold every body in memory).
 */
export interface BenchFake {
  url: string
  close(): Promise<void>
}

async function listen(server: Server, path: string): Promise<string> {
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`
}

async function body(req: IncomingMessage): Promise<string> {
  let data = ''
  req.setEncoding('utf8')
  for await (const chunk of req) data += chunk as string
  return data
}

const closer = (server: Server) => async () => {
  server.closeAllConnections()
  server.close()
  await once(server, 'close')
}

/** A picture the Graph sink serves, as a webhook announces it (`sha256` is of `bytes`, hex). */
export interface BenchMedia {
  bytes: Buffer
  mimeType: string
  sha256: string
}

export function benchMedia(bytes: Uint8Array, mimeType: string): BenchMedia {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { bytes: buffer, mimeType, sha256: createHash('sha256').update(buffer).digest('hex') }
}

/**
 * A media id naming picture `index` of the sink's set; `unique` makes it one per message, as
 * Meta's are. The sink finds the picture from the id alone and keeps nothing per message.
 */
export function benchMediaId(index: number, unique: string): string {
  return `bench-media.${index}.${unique}`
}

const MEDIA_ID = /^bench-media\.(\d+)\./

/**
 * Answers every send with a fresh wamid and reports the recipient and sending number; mark-read
 * answers success. With `media`, it also answers the two calls of a media download as the
 * Graph API does: `GET /{version}/{media-id}` with the picture's metadata and a URL, and
 * `GET` on that URL with the bytes (ids from {@link benchMediaId}; any other id is a 404).
 */
export async function startGraphSink(
  onSend: (to: string, at: number, phoneNumberId: string) => void,
  media: readonly BenchMedia[] = [],
): Promise<BenchFake> {
  let n = 0
  let origin = ''
  const server = createServer((req, res) => void handleSend(req, res))

  async function handleSend(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') return serveMedia(req, res)
    const text = await body(req)
    const at = performance.now()
    const parsed = JSON.parse(text || '{}') as { to?: string; status?: string }
    res.setHeader('content-type', 'application/json')
    if (parsed.status === 'read') {
      res.end('{"success":true}')
      return
    }
    n++
    res.end(`{"messaging_product":"whatsapp","messages":[{"id":"wamid.sink.${n}"}]}`)
    // The path is /v21.0/<phone-number-id>/messages.
    if (parsed.to !== undefined) onSend(parsed.to, at, req.url?.split('/')[2] ?? '')
  }

  // `/{version}/{media-id}` is the lookup, `/media/{media-id}` the download URL it answers.
  function serveMedia(req: IncomingMessage, res: ServerResponse): void {
    req.resume()
    const [, first, second] = (req.url ?? '').split('?')[0]!.split('/')
    const id = decodeURIComponent(second ?? '')
    const item = media[Number(MEDIA_ID.exec(id)?.[1] ?? -1)]
    if (item === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: `(#100) Unsupported get request. Object with ID '${id}' does not exist`, type: 'OAuthException', code: 100 } }))
      return
    }
    if (first === 'media') {
      res.writeHead(200, { 'content-type': item.mimeType, 'content-length': item.bytes.length })
      res.end(item.bytes)
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({
      url: `${origin}/media/${encodeURIComponent(id)}`,
      mime_type: item.mimeType,
      sha256: item.sha256,
      file_size: item.bytes.length,
      id,
      messaging_product: 'whatsapp',
    }))
  }

  const url = await listen(server, '/v21.0')
  origin = new URL(url).origin
  return { url, close: closer(server) }
}

const completion = (content: object) => JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 0, model: 'bench',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify(content), refusal: null } }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
})

/**
 * A chat-completions endpoint answering after `latencyMs`: a fixed structured reply, or for a
 * request carrying a picture (the vision fallback) a fixed image description. It never looks
 * at the picture.
 */
export async function startAiStub(latencyMs: number): Promise<BenchFake> {
  const reply = completion({ department: null, reply: 'Certo! Já te ajudo com isso.', resolved: false, handoff: false, confidence: 0.9 })
  const description = completion({ kind: 'boleto', description: 'A bank payment slip photographed on a table.', line: null, pixCode: null, amount: '123.45' })
  const server = createServer((req, res) => {
    void body(req).then((text) => {
      // A picture arrives as an `image_url` content part; the text path never sends one.
      const answer = text.includes('"image_url"') ? description : reply
      const send = () => {
        res.setHeader('content-type', 'application/json')
        res.end(answer)
      }
      if (latencyMs > 0) setTimeout(send, latencyMs)
      else send()
    })
  })
  return { url: await listen(server, '/v1'), close: closer(server) }
}
