/**
 * A fake webhook receiver (the alert webhook, the business's event endpoint): a real
 * `node:http` server on 127.0.0.1 that records every POST with its raw body and answers
 * what the test scripts. `down()` stops listening (connections are refused, as with a
 * receiver that is off); `up()` listens again on the same port.
 */
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface ReceivedPost {
  path: string
  headers: IncomingHttpHeaders
  raw: Buffer
  /** The body parsed as JSON. */
  json: unknown
  /** The status answered. */
  status: number
}

export interface FakeReceiver {
  readonly url: string
  /** Every POST received, in arrival order (live). */
  readonly posts: readonly ReceivedPost[]
  /** The status the next POSTs get (a function of the post). @defaultValue () => 200 */
  answer(status: (post: Omit<ReceivedPost, 'status'>) => number): void
  /** Resolves once `n` POSTs in all have been received (answered). */
  waitForPosts(n: number, timeoutMs?: number): Promise<ReceivedPost[]>
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

export async function startFakeReceiver(): Promise<FakeReceiver> {
  const posts: ReceivedPost[] = []
  let status: (post: Omit<ReceivedPost, 'status'>) => number = () => 200
  const waiters: Array<{ n: number; resolve: () => void }> = []
  const sockets = new Set<Socket>()
  let server: Server = listen()
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port

  function listen(at = 0): Server {
    const s = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const raw = Buffer.concat(chunks)
        let json: unknown
        try {
          json = JSON.parse(raw.toString('utf8'))
        } catch {
          json = undefined
        }
        const post = { path: req.url ?? '', headers: req.headers, raw, json }
        const code = status(post)
        posts.push({ ...post, status: code })
        res.writeHead(code, { 'content-type': 'application/json' }).end('{}')
        for (const w of waiters.filter((w) => posts.length >= w.n)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve()
        }
      })
    })
    s.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    s.listen(at, '127.0.0.1')
    return s
  }

  async function stop(): Promise<void> {
    if (!server.listening) return
    const closed = once(server, 'close')
    server.close()
    for (const s of sockets) s.destroy()
    await closed
  }

  return {
    url: `http://127.0.0.1:${port}/hook`,
    posts,
    answer(fn) {
      status = fn
    },
    async waitForPosts(n, timeoutMs = 10_000) {
      if (posts.length < n) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`expected ${n} POSTs within ${timeoutMs} ms, got ${posts.length}`)), timeoutMs)
          waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
        })
      }
      return posts.slice(0, n)
    },
    down: stop,
    async up() {
      if (server.listening) return
      server = listen(port)
      await once(server, 'listening')
    },
    close: stop,
  }
}
