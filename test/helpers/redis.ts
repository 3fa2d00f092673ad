import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, onTestFinished } from 'vitest'

/**
 * A free TCP port on 127.0.0.1, chosen below Linux's ephemeral range (32768+). Port 0 would
 * hand out an ephemeral port, which any outgoing connection may take as its local port the
 * moment a test kills its Redis — and the restart on the same port would then fail.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const srv = createServer()
    const ok = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false))
      srv.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (ok) {
      srv.close()
      await once(srv, 'close')
      return port
    }
  }
  throw new Error('no free port found below the ephemeral range after 50 tries')
}

export interface RedisServer {
  port: number
  url: string
  /** SIGKILL: everything in memory is gone, like a crash of an instance without persistence. */
  kill(): Promise<void>
  /** Starts a new, empty server on the same port. */
  start(): Promise<void>
  stop(): Promise<void>
  /** Process id of the running server; undefined while it is down. */
  readonly pid: number | undefined
  /**
   * SIGSTOP: the server keeps its connections open and answers nothing, a hung Redis rather
   * than a refused one. Always `resume()` before `stop()` or closing clients.
   */
  pause(): void
  /** SIGCONT after `pause()`: the server answers what it received meanwhile. */
  resume(): void
}

/**
 * A private `redis-server` on a free port, so tests can kill and restart it without touching
 * the machine's shared one. No persistence: a restart comes back empty. `bind` is the address
 * it listens on (default 127.0.0.1; `::1` for IPv6 loopback).
 */
export async function startRedis(options: { bind?: string } = {}): Promise<RedisServer> {
  const bind = options.bind ?? '127.0.0.1'
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'atende-redis-'))
  let child: ChildProcess | undefined

  const start = async () => {
    const c = spawn(
      'redis-server',
      ['--port', String(port), '--bind', bind, '--save', '', '--appendonly', 'no', '--dir', dir,
        '--maxmemory-policy', 'noeviction', '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = c
    let out = ''
    c.stdout.setEncoding('utf8')
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: string) => {
        out += chunk
        if (out.includes('Ready to accept connections')) {
          c.stdout.off('data', onData)
          c.stdout.resume()
          resolve()
        }
      }
      c.stdout.on('data', onData)
      c.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)))
      c.once('error', reject)
    })
  }
  const kill = async () => {
    const c = child
    child = undefined
    if (c === undefined || c.exitCode !== null) return
    const exited = once(c, 'exit')
    c.kill('SIGKILL')
    await exited
  }
  const signal = (name: 'SIGSTOP' | 'SIGCONT') => {
    const c = child
    if (c?.pid === undefined || c.exitCode !== null) throw new Error(`redis-server is not running; cannot send ${name}`)
    process.kill(c.pid, name)
  }
  // "Ready to accept connections" is logged at `notice`, hence that log level above.
  await start()
  return {
    port,
    url: `redis://${bind.includes(':') ? `[${bind}]` : bind}:${port}`,
    kill,
    start,
    get pid() {
      return child?.exitCode === null ? child.pid : undefined
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    stop: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A fresh key prefix per test (STYLE §8), so tests never see each other's keys. */
export const testPrefix = (): string => `atende-test-${randomUUID()}`

/** The environment that points `loadConfig` at `server` under a fresh prefix, `extra` on top. */
export function redisEnv(server: Pick<RedisServer, 'url'>, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: server.url, REDIS_PREFIX: testPrefix(), ...extra }
}

/** The file's (or describe block's) own redis-server; see `useRedisServer`. */
export interface SharedRedis {
  /** The running server; read it inside tests and hooks, not while the file is collected. */
  readonly server: RedisServer
}

/**
 * One private redis-server for the tests of a file (or of the describe block it is called
 * in): started in `beforeAll`, stopped in `afterAll`. The tests share the server, never a
 * key: each takes a fresh prefix (`redisEnv`, `testPrefix`) and obliterates its queues.
 * A test that kills, freezes or restarts its Redis takes one of its own (`startRedisForTest`).
 */
export function useRedisServer(options: { bind?: string } = {}): SharedRedis {
  let server: RedisServer | undefined
  beforeAll(async () => {
    server = await startRedis(options)
  })
  afterAll(async () => {
    await server?.stop()
    server = undefined
  })
  return {
    get server() {
      if (server === undefined) throw new Error('the shared redis-server runs only inside tests and hooks (useRedisServer)')
      return server
    },
  }
}

/**
 * A private redis-server for the current test alone, stopped once the test and its
 * `afterEach` hooks are done (so after the clients those hooks close).
 */
export async function startRedisForTest(options: { bind?: string } = {}): Promise<RedisServer> {
  const server = await startRedis(options)
  onTestFinished(() => server.stop())
  return server
}
