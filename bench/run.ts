// `npm run bench` — every figure next to a baseline measured in the same run, same machine,
// same database. `npm run bench -- --smoke` is the quick check CI runs (a few seconds).
import { cpus, totalmem } from 'node:os'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { ingestPhase, type IngestRow, type Runtime, type Target } from './ingest.js'
import type { Engine } from './lib/databases.js'
import { renderTable, summarise } from './report.js'

const renderAt = process.argv.indexOf('--render')
if (renderAt >= 0) {
  // Regenerates the README table from a saved run: `npm run bench -- --render bench/results/<date>.json`.
  writeReadmeTable(JSON.parse(readFileSync(process.argv[renderAt + 1]!, 'utf8')) as Parameters<typeof renderTable>[0])
  process.exit(0)
}

function writeReadmeTable(result: Parameters<typeof renderTable>[0]): void {
  const readme = readFileSync('README.md', 'utf8')
  writeFileSync('README.md', readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${renderTable(result)}\n<!-- bench:end -->`))
}

const smoke = process.argv.includes('--smoke')
const durationSeconds = smoke ? 2 : 10
const rates: Array<number | undefined> = smoke ? [2_000] : [500, 2_000, 5_000, undefined]
const plan: Array<[Target, Engine, Runtime]> = smoke
  ? [['bare', 'pglite', 'in-process'], ['naive-durable', 'pglite', 'in-process'], ['atende', 'pglite', 'in-process']]
  : [
      ['bare', 'pglite', 'in-process'],
      ...(['pglite', 'postgres'] as const).flatMap((e) => [
        ['naive-durable', e, 'in-process'] as [Target, Engine, Runtime],
        ['atende', e, 'in-process'] as [Target, Engine, Runtime],
        ['atende', e, 'redis'] as [Target, Engine, Runtime],
      ]),
    ]

const rows: IngestRow[] = []
for (const [target, engine, runtime] of plan) {
  for (const rate of rates) {
    const row = await ingestPhase(target, engine, runtime, rate, durationSeconds)
    rows.push(row)
    process.stderr.write(`${target} ${row.engine} ${row.runtime} @${rate ?? 'max'}: ${Math.round(row.client.rps)} req/s, client p99 ${row.client.p99Ms} ms, server p99 ${row.server.p99Ms} ms, turns ${row.turnsPerSecond ?? '-'}/s\n`)
  }
}

const result = {
  date: new Date().toISOString(),
  smoke,
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  command: smoke ? 'npm run bench -- --smoke' : 'npm run bench',
  durationSeconds,
  ingest: rows,
  ratios: summarise(rows),
}
if (!smoke) {
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(`bench/results/${result.date.slice(0, 10)}.json`, `${JSON.stringify(result, null, 2)}\n`)
  writeReadmeTable(result)
}
process.stdout.write(`${JSON.stringify(result.ratios, null, 2)}\n`)
