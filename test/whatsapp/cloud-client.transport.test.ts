/**
 * The cloud client's HTTP plumbing, against scripted `node:http` servers on 127.0.0.1 (the
 * fake Graph cannot stall a body half-way, redirect or count connections): keep-alive reuse,
 * the timeout and the caller's abort while a body is still arriving, redirects, network codes.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { WhatsAppApiError } from '../../src/errors.js'
import { createCloudClient } from '../../src/whatsapp/index.js'

const TOKEN = 'test-token-placeholder'
const PHONE_NUMBER_ID = '1000000001'
const customer = { waId: '5511900000001', userId: undefined, profileName: undefined }

interface Scripted {
  origin: string
  /** TCP connections accepted so far. */
  connections: () => number
  /** Connections closed so far (by either side). */
  closed: () => number
  /** Every request: method, path and authorization header. */
  seen: { method: string; path: string; authorization: string | undefined }[]
}

type Handler = (req: IncomingMessage, res: ServerResponse, origin: string) => void

const servers: Server[] = []
const clients: { close(): Promise<void> }[] = []

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections()
      return new Promise<void>((resolve) => s.close(() => resolve()))
    }),
  )
})

/** A server that reads each request body whole, records it, then lets `handle` answer. */
async function serve(handle: Handler): Promise<Scripted> {
  let connections = 0
  let closed = 0
  const seen: Scripted['seen'] = []
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization })
      handle(req, res, origin)
    })
  })
  server.on('connection', (socket) => {
    connections += 1
    socket.on('close', () => (closed += 1))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  servers.push(server)
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, connections: () => connections, closed: () => closed, seen }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

function clientFor(origin: string, timeoutMs = 2_000) {
  const client = createCloudClient({ apiBaseUrl: `${origin}/v21.0`, token: secret(TOKEN), timeoutMs })
  clients.push(client)
  return client
}

/** Graph-like answers: sends get a wamid, lookups a download URL on the same server. */
const graphLike: Handler = (req, res, origin) => {
  if (req.url === '/v21.0/3000000000000011') return json(res, 200, { url: `${origin}/download/11`, mime_type: 'image/jpeg' })
  if (req.url === '/download/11') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    return void res.end(Buffer.from([1, 2, 3]))
  }
  if (req.url === '/v21.0/1000000001/messages') return json(res, 200, { messages: [{ id: 'wamid.ok' }], padding: 'x'.repeat(20_000) })
  json(res, 404, { error: { code: 100, message: 'Unknown path components' } })
}

describe('cloud client connections', () => {
  it('keeps reusing its keep-alive connections: read receipts, error answers and media open none', async () => {
    const server = await serve((req, res, origin) => {
      if (req.url === '/v21.0/2000000002/messages') return json(res, 400, { error: { code: 131047, message: 'Re-engagement message' } })
      graphLike(req, res, origin)
    })
    const client = clientFor(server.origin)
    // The pool may open a second connection while the first is being returned; after two
    // calls it has what a caller making one call at a time needs.
    await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' })
    await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' })
    const warm = server.connections()

    for (let i = 0; i < 3; i++) {
      await client.markRead({ phoneNumberId: PHONE_NUMBER_ID, wamid: 'wamid.IN1' })
      await expect(client.sendText({ phoneNumberId: '2000000002', to: customer, text: 'Oi' })).rejects.toMatchObject({ metaCode: 131047 })
      await client.downloadMedia('3000000000000011', { maxBytes: 1_000 })
      await expect(client.downloadMedia('3000000000000099', { maxBytes: 1_000 })).rejects.toMatchObject({ httpStatus: 404 })
      await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' })
    }

    expect(server.seen).toHaveLength(2 + 3 * 6)
    expect(warm).toBeLessThanOrEqual(2)
    expect(server.connections()).toBe(warm)
    expect(server.closed()).toBe(0)
  })

  it('closes its kept-alive connections on close()', async () => {
    const server = await serve(graphLike)
    const client = createCloudClient({ apiBaseUrl: `${server.origin}/v21.0`, token: secret(TOKEN), timeoutMs: 2_000 })
    await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' })
    expect(server.closed()).toBe(0)

    await client.close()
    await expect.poll(() => server.closed()).toBe(1)
  })
})

describe('cloud client timeout and abort while the body arrives', () => {
  /** Lookups answer normally; downloads send their headers and a first chunk, then stall. */
  const stallingDownload: Handler = (req, res, origin) => {
    if (req.url === '/download/11') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': '1000' })
      return void res.write(Buffer.alloc(10))
    }
    graphLike(req, res, origin)
  }

  it('times out a media download whose body stalls after the headers', async () => {
    const server = await serve(stallingDownload)
    const client = clientFor(server.origin, 200)
    const started = performance.now()

    const err = await client.downloadMedia('3000000000000011', { maxBytes: 1_000 }).catch((e: unknown) => e)

    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ retryable: true, message: 'WhatsApp media download timed out after 200 ms' })
    expect(performance.now() - started).toBeLessThan(1_500)
  })

  it('stops a media download when the caller aborts mid-body', async () => {
    const server = await serve(stallingDownload)
    const client = clientFor(server.origin, 5_000)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)

    const err = await client.downloadMedia('3000000000000011', { maxBytes: 1_000, signal: controller.signal }).catch((e: unknown) => e)

    expect(err).toMatchObject({ retryable: true, message: 'WhatsApp media download was aborted by the caller' })
  })

  it('settles a send whose answer stalls mid-body within the timeout, as retryable', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"messages":[{"id":')
    })
    const client = clientFor(server.origin, 200)
    const started = performance.now()

    const err = await client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' }).catch((e: unknown) => e)

    expect(err).toBeInstanceOf(WhatsAppApiError)
    expect(err).toMatchObject({ retryable: true })
    expect(performance.now() - started).toBeLessThan(1_500)
  })

  it('fails at once, without a request, when the caller\'s signal is already aborted', async () => {
    const server = await serve(graphLike)
    const client = clientFor(server.origin)
    const err = await client
      .sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi', signal: AbortSignal.abort() })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ retryable: true, message: 'WhatsApp send was aborted by the caller' })
    expect(server.seen).toEqual([])
  })
})

describe('cloud client redirects and network failures', () => {
  // Redirects to other hosts, and how many are followed: cloud-client.media-hosts.test.ts.
  it('follows redirects on the same host with the token, keeping the connections alive', async () => {
    const server = await serve((req, res, origin) => {
      if (req.url === '/v21.0/3000000000000011') return json(res, 200, { url: `${origin}/moved/11` })
      if (req.url === '/moved/11') {
        res.writeHead(302, { location: `${origin}/moved-again/11` })
        return void res.end()
      }
      if (req.url === '/moved-again/11') {
        res.writeHead(307, { location: '/download/11' })
        return void res.end()
      }
      graphLike(req, res, origin)
    })
    const client = clientFor(server.origin)

    const media = await client.downloadMedia('3000000000000011', { maxBytes: 1_000 })

    expect(media).toEqual({ bytes: Buffer.from([1, 2, 3]), mimeType: 'application/octet-stream' })
    expect(server.seen.map((r) => [r.path, r.authorization])).toEqual([
      ['/v21.0/3000000000000011', `Bearer ${TOKEN}`],
      ['/moved/11', `Bearer ${TOKEN}`],
      ['/moved-again/11', `Bearer ${TOKEN}`],
      ['/download/11', `Bearer ${TOKEN}`],
    ])
    // A redirect's body is read to its end, so its connection goes back to the pool.
    expect(server.closed()).toBe(0)
  })

  it('names the network error code when nothing listens', async () => {
    const server = await serve(graphLike)
    servers.pop()?.close()
    const client = clientFor(server.origin)
    await expect(client.sendText({ phoneNumberId: PHONE_NUMBER_ID, to: customer, text: 'Oi' })).rejects.toMatchObject({
      retryable: true,
      message: 'WhatsApp send failed before a response (ECONNREFUSED)',
    })
  })
})
