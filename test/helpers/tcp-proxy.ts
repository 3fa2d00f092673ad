/**
 * A TCP proxy on 127.0.0.1 that a test can cut and restore: the network between the app
 * under test and a real server (PostgreSQL, Redis), failing the way networks fail.
 *
 * ```ts
 * const proxy = await startTcpProxy({ port: 5432 })
 * // DATABASE_URL=postgres://postgres@127.0.0.1:${proxy.port}/db
 * await proxy.cut('refuse') // open connections reset, new ones reset at once
 * proxy.restore()           // new connections reach the server again
 * await proxy.close()
 * ```
 */
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

/**
 * What a cut does. `refuse`: open connections are reset and new ones reset at once (the
 * server is down). `hold`: open connections are reset, new ones accepted and never forwarded
 * a byte until `restore()` (a server that hangs on connect). `freeze`: open connections stay
 * open but carry nothing either way, and new ones are held (a hung server, or a network that
 * drops packets); `restore()` lets their bytes through again. In the last two the client's
 * own timeouts must fire.
 */
export type CutMode = 'refuse' | 'hold' | 'freeze'

export interface TcpProxy {
  /** The port the proxy listens on, on 127.0.0.1. */
  readonly port: number
  /** Connections accepted so far (forwarded, refused and held alike). */
  readonly accepted: number
  /** Connections reset or held while cut. */
  readonly turnedAway: number
  /** Whether the proxy is cut now, and how. */
  readonly cutMode: CutMode | undefined
  /** Bytes sent on frozen connections (either way) and kept back since the last `cut('freeze')`. */
  readonly frozenBytes: number
  /**
   * Cuts as `mode` says (default `refuse`) until `restore()`: resolves once the open
   * connections are gone (`refuse`, `hold`) or stopped (`freeze`). Calling it again while cut
   * changes the mode: `refuse` or `hold` then resets frozen connections too, and `refuse`
   * held ones.
   */
  cut(mode?: CutMode): Promise<void>
  /**
   * New connections are forwarded again; held ones are forwarded now and frozen ones carry
   * bytes again, with what was sent meanwhile.
   */
  restore(): void
  /** Stops listening and destroys every connection. Idempotent. */
  close(): Promise<void>
}

interface Pair {
  client: Socket
  server: Socket
  /** While frozen: what each side sent, kept back, and how to stop keeping it. */
  kept?: { toServer: Buffer[]; toClient: Buffer[]; stop(): void }
}

export async function startTcpProxy(target: { port: number; host?: string }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1'
  const pairs = new Set<Pair>()
  const frozen = new Set<Pair>()
  const held = new Set<Socket>()
  let mode: CutMode | undefined
  let accepted = 0
  let turnedAway = 0
  let frozenBytes = 0
  let closing: Promise<void> | undefined

  function forward(client: Socket): void {
    const server = connect({ port: target.port, host })
    const pair = { client, server }
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      frozen.delete(pair)
      client.destroy()
      server.destroy()
    }
    // Either side failing or ending takes the other with it, as a real connection would.
    client.on('error', drop).on('close', drop)
    server.on('error', drop).on('close', drop)
    client.pipe(server)
    server.pipe(client)
  }

  const listener = createServer({ pauseOnConnect: true }, (client) => {
    accepted++
    if (mode === 'refuse') {
      turnedAway++
      client.on('error', () => {})
      client.resetAndDestroy()
      return
    }
    if (mode === 'hold' || mode === 'freeze') {
      turnedAway++
      held.add(client)
      client.on('error', () => {})
      client.once('close', () => held.delete(client))
      return
    }
    forward(client)
  })
  listener.listen(0, '127.0.0.1')
  await once(listener, 'listening')
  const port = (listener.address() as AddressInfo).port

  return {
    port,
    get accepted() {
      return accepted
    },
    get turnedAway() {
      return turnedAway
    },
    get cutMode() {
      return mode
    },
    get frozenBytes() {
      return frozenBytes
    },
    async cut(next = 'refuse') {
      mode = next
      if (next === 'freeze') {
        frozenBytes = 0
        for (const pair of pairs) {
          if (frozen.has(pair)) continue
          // Read and kept back, not forwarded: the test can see what a client sent meanwhile.
          pair.client.unpipe(pair.server)
          pair.server.unpipe(pair.client)
          const toServer: Buffer[] = []
          const toClient: Buffer[] = []
          const fromClient = (b: Buffer) => (toServer.push(b), (frozenBytes += b.length))
          const fromServer = (b: Buffer) => (toClient.push(b), (frozenBytes += b.length))
          pair.client.on('data', fromClient).resume()
          pair.server.on('data', fromServer).resume()
          pair.kept = {
            toServer,
            toClient,
            stop: () => {
              pair.client.off('data', fromClient)
              pair.server.off('data', fromServer)
            },
          }
          frozen.add(pair)
        }
        return
      }
      if (next === 'refuse') {
        for (const client of held) client.resetAndDestroy()
        held.clear()
      }
      const closed = [...pairs].flatMap(({ client, server }) => [client, server])
        .filter((s) => !s.destroyed)
        .map((s) => new Promise((resolve) => s.once('close', resolve)))
      for (const { client, server } of [...pairs]) {
        client.resetAndDestroy()
        server.destroy()
      }
      await Promise.all(closed)
    },
    restore() {
      mode = undefined
      for (const pair of [...frozen]) {
        frozen.delete(pair)
        const kept = pair.kept!
        pair.kept = undefined
        kept.stop()
        for (const b of kept.toServer) pair.server.write(b)
        for (const b of kept.toClient) pair.client.write(b)
        pair.client.pipe(pair.server)
        pair.server.pipe(pair.client)
      }
      for (const client of [...held]) {
        held.delete(client)
        if (!client.destroyed) forward(client)
      }
    },
    close() {
      closing ??= (async () => {
        mode = 'refuse'
        for (const s of held) s.destroy()
        held.clear()
        for (const { client, server } of [...pairs]) {
          client.destroy()
          server.destroy()
        }
        listener.close()
        await once(listener, 'close')
      })()
      return closing
    },
  }
}
