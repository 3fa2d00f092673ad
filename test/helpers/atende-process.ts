import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { appendFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { logPrivacyError, scanLogLines, type LogScan } from './log-scan.js'
import { freePort } from './redis.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface AtendeProcess {
  url: string
  proc: ChildProcess
  /** Every log line so far, parsed. */
  readonly logs: ReadonlyArray<Record<string, unknown>>
  /** Resolves with the first log line (past or future) matching `match`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  /** Adds strings (the test's phone numbers, names, texts) that no line of this process may carry. */
  watch(...personal: string[]): void
  /** Scans every line so far, stdout and stderr, for watched strings and phone numbers (`log-scan.ts`). */
  scanLogs(): LogScan
  /**
   * SIGTERM and wait for the exit code; then scans the whole output and throws, quoting the
   * offending lines, when any carries personal data. Skipped with `keepLogs: false`.
   */
  stop(): Promise<number | null>
}

/**
 * Runs `atende <role>` as a real process (`tsx src/main.ts`), exactly as `npm start` does,
 * with `env` on top of a quiet, test-safe base. Resolves once it logs 'atende started'.
 */
export async function startAtende(env: Record<string, string>, role = 'serve', options: ScriptOptions = {}): Promise<AtendeProcess> {
  return startScript(['src/main.ts', role], env, options)
}

export interface ScriptOptions {
  /**
   * Keep parsing and keeping log lines after start. A long benchmark turns this off: the parent
   * would otherwise spend CPU and memory on the child's every line; nothing is then scanned
   * for personal data. @defaultValue true
   */
  keepLogs?: boolean
  /** Extra flags for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[]
}

/** Runs `atende <args>` to completion (a one-shot command); resolves with its exit code and output. */
export async function runAtende(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: 'memory://', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const [code] = (await once(proc, 'exit')) as [number | null]
  return { code, stdout, stderr }
}

/** Runs any TypeScript entry point of this repository the same way (benchmarks' baselines too). */
export async function startScript(args: string[], env: Record<string, string>, options: ScriptOptions = {}): Promise<AtendeProcess> {
  let started = false
  const port = await freePort()
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      DATA_DIR: 'memory://',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Array<Record<string, unknown>> = []
  const stdoutLines: string[] = []
  const personal = new Set<string>()
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = []
  let stderr = ''
  let buffer = ''
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (started && options.keepLogs === false) return
    buffer += chunk
    let nl: number
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      stdoutLines.push(line)
      let parsed: Record<string, unknown>
      try {
        parsed = JSON.parse(line) as Record<string, unknown>
      } catch {
        parsed = { msg: line }
      }
      logs.push(parsed)
      for (const w of [...waiters]) {
        if (w.match(parsed)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(parsed)
        }
      }
    }
  })
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = once(proc, 'exit')

  const waitForLog = (match: (l: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const seen = logs.find(match)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs)
      waiters.push({ match, resolve: (l) => { clearTimeout(timer); resolve(l) } })
      void exited.then(() => {
        clearTimeout(timer)
        reject(new Error(`atende exited before the expected log line; stderr: ${stderr}\nlast logs: ${JSON.stringify(logs.slice(-5))}`))
      })
    })
  }

  const scanLogs = (): LogScan => {
    const lines = [
      ...stdoutLines.map((text) => ({ stream: 'stdout' as const, text })),
      ...(buffer === '' ? [] : [{ stream: 'stdout' as const, text: buffer }]),
      ...stderr.split('\n').filter((l) => l !== '').map((text) => ({ stream: 'stderr' as const, text })),
    ]
    return scanLogLines(lines, personal)
  }

  await waitForLog((l) => l.msg === 'atende started', 60_000).catch((err: unknown) => {
    // A process that never said it started must not outlive the test that wanted it.
    proc.kill('SIGKILL')
    throw err
  })
  started = true
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    logs,
    waitForLog,
    watch: (...values) => values.forEach((v) => personal.add(v)),
    scanLogs,
    stop: async () => {
      let code = proc.exitCode
      if (code === null) {
        proc.kill('SIGTERM')
        ;[code] = (await exited) as [number | null]
      }
      if (options.keepLogs === false) return code
      const scan = scanLogs()
      reportScan(args, scan)
      if (scan.findings.length > 0) throw logPrivacyError(scan, args.join(' '))
      return code
    },
  }
}

/**
 * With `TEST_LOG_SCAN_REPORT=<file>`, one JSON line per stopped process: how many lines were
 * scanned and how many carried personal data, for the figures of issue #8.
 */
function reportScan(args: string[], scan: LogScan): void {
  const file = process.env.TEST_LOG_SCAN_REPORT
  if (file === undefined || file === '') return
  appendFileSync(file, `${JSON.stringify({ process: args.join(' '), lines: scan.lines, findings: scan.findings.length })}\n`)
}
