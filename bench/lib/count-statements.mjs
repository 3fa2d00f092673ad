// Preloaded into a bench target (`BENCH_NODE_ARGS='--import ./bench/lib/count-statements.mjs'`):
// counts the statements the process sends to PostgreSQL, by text, and writes them, most
// frequent first, to /tmp/atende-statements-<pid>.tsv when it exits. Each answered turn runs
// `select completed, turn_due_at from atende_complete_turn(…)` once: all statements ÷ that
// line's count is statements per message (decision 0004, addendum).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const pg = createRequire(import.meta.url)('pg')
const counts = new Map()
const query = pg.Client.prototype.query
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text
  if (typeof text === 'string') {
    const key = text.replace(/\s+/g, ' ').slice(0, 160)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return query.call(this, config, ...rest)
}
process.on('exit', () => {
  const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([text, n]) => `${n}\t${text}`)
  writeFileSync(`/tmp/atende-statements-${process.pid}.tsv`, `${lines.join('\n')}\n`)
})
