import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'
import { redisOptions } from '../../src/dispatch/index.js'
import { freePort } from '../helpers/redis.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** A throw-away CA and a server certificate for 127.0.0.1 and localhost. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Atende Test CA')
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost')
  writeFileSync(join(dir, 'ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'ext')
}

describe('Redis over TLS (rediss://)', () => {
  let dir: string
  let port: number
  let server: ChildProcess
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atende-tls-'))
    makeCertificates(dir)
    port = await freePort()
    server = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--tls-cert-file', 'server.crt', '--tls-key-file', 'server.key', '--tls-ca-cert-file', 'ca.crt', '--tls-auth-clients', 'no'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    server.stdout!.setEncoding('utf8')
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (c: string) => { if ((out += c).includes('Ready to accept connections')) resolve() })
      server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)))
    })
  })
  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGKILL')
      await once(server, 'exit')
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a server whose certificate it cannot verify (verification is on)', async () => {
    const config = loadConfig({ REDIS_URL: `rediss://127.0.0.1:${port}` })
    const redis = new Redis({ ...redisOptions(config.redis!, 'producer'), retryStrategy: () => null, lazyConnect: true })
    const [err] = (await Promise.all([once(redis, 'error'), redis.connect().catch(() => {})]))[0] as [Error]
    expect(err.message).toMatch(/self[- ]signed|unable to verify|certificate/i)
    redis.disconnect()
  })

  it('connects when the CA is trusted, with the options Atende uses', async () => {
    // NODE_EXTRA_CA_CERTS is read at process start: trust the test CA in a child process.
    const script = `import { Redis } from 'ioredis'
import { loadConfig } from './src/config/index.ts'
import { redisOptions } from './src/dispatch/index.ts'
import { once } from 'node:events'
const redis = new Redis(redisOptions(loadConfig({ REDIS_URL: 'rediss://127.0.0.1:${port}' }).redis, 'producer'))
await once(redis, 'ready')
console.log(await redis.ping()); redis.disconnect()`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const [code] = (await once(child, 'exit')) as [number]
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout.trim()).toBe('PONG')
  })
})
