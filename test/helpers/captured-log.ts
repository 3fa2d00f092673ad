import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import { loggerOptions } from '../../src/log/index.js'

export interface CapturedLog {
  log: Logger
  /** Every JSON line logged so far. */
  lines: Array<Record<string, unknown>>
  /** Resolves once a line `test` accepts has been logged. */
  logged(test: (l: Record<string, unknown>) => boolean): Promise<void>
}

/**
 * A debug-level logger whose JSON lines the test reads; with `production: true`, the root
 * logger's options (redaction included), so the test sees what production writes.
 */
export function capturedLog(settings: { production?: boolean } = {}): CapturedLog {
  const lines: Array<Record<string, unknown>> = []
  const waiters: Array<{ test: (l: Record<string, unknown>) => boolean; resolve: () => void }> = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as Record<string, unknown>
        lines.push(entry)
        for (const w of waiters.filter((w) => w.test(entry))) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve()
        }
      }
      done()
    },
  })
  const logged = (test: (l: Record<string, unknown>) => boolean) =>
    lines.some(test) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ test, resolve }))
  return { log: pino(settings.production === true ? loggerOptions('debug') : { level: 'debug' }, stream), lines, logged }
}
