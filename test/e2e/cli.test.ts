import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestDatabase } from '../helpers/db.js'
import { startAtende } from '../helpers/atende-process.js'
import { startStack, textWebhook } from '../helpers/e2e.js'
import { startFakeOpenAi } from '../helpers/fake-openai.js'
import { freePort } from '../helpers/redis.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The cloud transport, pointed at a port on 127.0.0.1 where nothing listens: starting sends nothing. */
const CLOUD = { WHATSAPP_TRANSPORT: 'cloud', WHATSAPP_TOKEN: 'test-wa-token-placeholder', WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9/v21.0' }

/** Runs the CLI to completion; resolves with its exit code and output. */
async function run(args: string[], env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  // A command expected to stop that starts instead must not outlive its test.
  onTestFinished(() => void (proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL')))
  const [code] = (await once(proc, 'exit')) as [number | null]
  return { code, stdout, stderr }
}

describe('the atende command', () => {
  it('refuses bad configuration with one message listing every bad variable, exit 1, no stack', async () => {
    const r = await run(['serve'], { PORT: 'eighty', AI_PROVIDER: 'gpt', REDIS_URL: 'http://nope' })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/invalid configuration/)
    for (const key of ['PORT', 'AI_PROVIDER', 'REDIS_URL']) expect(r.stderr).toContain(key)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses to start in production without WHATSAPP_APP_SECRET', async () => {
    const r = await run(['serve'], { NODE_ENV: 'production' })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('WHATSAPP_APP_SECRET')
  })

  it('refuses the cloud transport without WHATSAPP_APP_SECRET, in one line naming the way out', async () => {
    const r = await run(['serve'], { ...CLOUD, WHATSAPP_APP_SECRET: '  ' })
    expect(r.code).toBe(1)
    const lines = r.stderr.split('\n').filter((l) => l.includes('WHATSAPP_APP_SECRET'))
    expect(lines).toEqual([expect.stringMatching(/WHATSAPP_APP_SECRET: required when WHATSAPP_TRANSPORT=cloud.*WHATSAPP_ALLOW_UNSIGNED=true/)])
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('starts unsigned when told to, and says so at start and on /readyz', async () => {
    const atende = await startAtende({ ...CLOUD, WHATSAPP_ALLOW_UNSIGNED: 'true' })
    try {
      const warning = await atende.waitForLog((l) => l.level === 40 && String(l.msg).includes('signatures are NOT verified'))
      const res = await fetch(`${atende.url}/readyz`)
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ status: 'ready', warnings: [warning.msg] })
    } finally {
      expect(await atende.stop()).toBe(0)
    }
    // Longer than startAtende's own 60 s bound, which kills a process that never started.
  }, 90_000)

  it('names the file and the field of a broken knowledge base', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atende-kb-'))
    const file = join(dir, 'broken.yaml')
    writeFileSync(file, 'business: { name: X, language: pt-BR }\ndepartments: []\nfaq: []\nmessages: { greeting: oi }\n')
    const t = await createTestDatabase('pglite')
    const r = await run(['serve'], { KNOWLEDGE_BASE: file, DATA_DIR: t.dataDir, PORT: '0' })
    await t.drop()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('broken.yaml')
    expect(r.stderr).toMatch(/messages\.fallback/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses `api` and `worker` without Redis and PostgreSQL', async () => {
    const r = await run(['worker'], {})
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('REDIS_URL')
    expect(r.stderr).toContain('DATABASE_URL')
  })

  it('rejects an unknown command with the usage', async () => {
    const r = await run(['serv'], {})
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('usage: atende')
  })

  it('answers --help after a command with the usage, and refuses arguments a command does not take, starting nothing', async () => {
    // `npm start -- --help` runs `serve --help`, which started a server.
    const help = await run(['serve', '--help'], { PORT: '0' })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: atende')
    const extra = await run(['serve', '--port', '4000'], { PORT: '0' })
    expect(extra.code).toBe(2)
    expect(extra.stderr).toContain("'serve' takes no arguments (got '--port 4000'); settings are environment variables")
  })

  it('answers a database it cannot reach in one line naming DATABASE_URL, without its password or a stack', async () => {
    const r = await run(['migrate'], { DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${await freePort()}/atende` })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^atende: cannot open the database of DATABASE_URL \(127\.0\.0\.1:\d+\/atende\): connect ECONNREFUSED/)
    expect(r.stderr).not.toContain('hunter2')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('answers a port in use in one line naming PORT, without a stack', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => void taken.close())
    const port = (taken.address() as AddressInfo).port
    const r = await run(['serve'], { HOST: '127.0.0.1', PORT: String(port) })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`atende: cannot listen on 127.0.0.1:${port}: the port is in use; set PORT`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('migrates and exits', async () => {
    const t = await createTestDatabase('postgres', { empty: true })
    const r = await run(['migrate'], { DATABASE_URL: t.url!, LOG_LEVEL: 'info' })
    await t.drop()
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('migrations applied')
  })

  it('exits on SIGTERM while a turn is in flight, though the turn arms an idle timer as it ends', async () => {
    // A turn that ended during shutdown armed its conversation's idle timer (30 min), which
    // held the stopped process open that long.
    const openai = await startFakeOpenAi()
    const stack = await startStack('in-process', 'pglite', {
      AI_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test-placeholder', OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'test-model',
    })
    try {
      const hold = openai.hold((r) => r.path.startsWith('/v1/chat/completions'))
      expect((await stack.post(textWebhook('wamid.SHUTDOWN1', 'minha internet caiu'))).status).toBe(200)
      await hold.arrived
      const stopping = stack.atende.stop()
      await stack.atende.waitForLog((l) => l.msg === 'shutting down', 10_000)
      hold.release()
      expect(await stopping).toBe(0)
      expect(stack.atende.logs.some((l) => l.msg === 'turn replied')).toBe(true)
      expect(stack.atende.logs.filter((l) => l.msg === 'still running after shutdown: exiting')).toEqual([])
    } finally {
      await stack.close()
      await openai.close()
    }
  })

  it('shuts down cleanly on SIGTERM', async () => {
    const t = await createTestDatabase('pglite')
    const atende = await startAtende({ DATA_DIR: t.dataDir })
    expect(await atende.stop()).toBe(0)
    expect(atende.logs.some((l) => l.msg === 'shutdown complete')).toBe(true)
    await t.drop()
  })
})
