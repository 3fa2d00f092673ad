// `npm run bench` — every figure next to a baseline measured in the same run, same machine,
// same database. `npm run bench -- --smoke` is the quick check CI runs (about a minute).
// `--sustain-seconds N` shortens the 10-minute capacity run (the figure then says so).
import { cpus, totalmem } from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { e2ePhase, type E2eOptions, type E2eRow } from './e2e.js'
import { BENCH_ITEMS, benchAnalysers, runImageBench } from './images.js'
import { ingestPhase, type IngestRow, type Runtime, type Target } from './ingest.js'
import type { Engine } from './lib/databases.js'
import { renderImageTable, renderTable, summarise, type BenchResult, type Capacity, type ImagesResult } from './report.js'

const renderAt = process.argv.indexOf('--render')
if (renderAt >= 0) {
  // Regenerates the README table from a saved run: `npm run bench -- --render bench/results/<date>.json`.
  writeReadmeTable(JSON.parse(readFileSync(process.argv[renderAt + 1]!, 'utf8')) as BenchResult)
  process.exit(0)
}

function writeReadmeTable(result: BenchResult): void {
  const readme = readFileSync('README.md', 'utf8')
  writeFileSync('README.md', readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${renderTable(result)}\n<!-- bench:end -->`))
}

const started = new Date()
const smoke = process.argv.includes('--smoke')
// `--capacity-only`: re-runs the capacity sweep and sustained run into today's results file,
// keeping its other rows (the command recorded says so).
const capacityOnly = process.argv.includes('--capacity-only')
// `--images-only`: runs only the image bench into the newest results file (today's, or the
// last full run's when none was written today), keeping its other rows (the command says so).
const imagesOnly = process.argv.includes('--images-only')
// `--e2e-only`: re-runs the end-to-end rows into today's results file, keeping its other parts.
const e2eOnly = process.argv.includes('--e2e-only')
/** The one part a partial re-run replaces, if any. */
const only = capacityOnly ? 'capacity' : imagesOnly ? 'images' : e2eOnly ? 'end to end' : undefined
if ([capacityOnly, imagesOnly, e2eOnly].filter(Boolean).length > 1) {
  throw new Error('--capacity-only, --images-only and --e2e-only each re-run one part; expected at most one of them')
}
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version }
const resultsFile = imagesOnly ? newestResultsFile() : `bench/results/${started.toISOString().slice(0, 10)}.json`
const previous = only !== undefined ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResult) : undefined
if (previous !== undefined && !isDeepStrictEqual(previous.machine, machine)) {
  // Figures side by side must come from the same machine and Node.
  throw new Error(`${resultsFile} was measured on ${JSON.stringify(previous.machine)}; this is ${JSON.stringify(machine)}: run the whole bench instead`)
}
const sustainAt = process.argv.indexOf('--sustain-seconds')
const sustainSeconds = sustainAt >= 0 ? Number(process.argv[sustainAt + 1]) : 600
const log = (line: string) => process.stderr.write(`${line}\n`)

function newestResultsFile(): string {
  const newest = readdirSync('bench/results').filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort().at(-1)
  if (newest === undefined) throw new Error('bench/results holds no results to add images to; expected a <date>.json from `npm run bench`')
  return `bench/results/${newest}`
}

// --- Webhook ingest --------------------------------------------------------------------
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
      // Only PostgreSQL: a PGlite directory opens in one process.
      ['atende-split', 'postgres', 'redis'],
    ]

const rows: IngestRow[] = previous?.ingest ?? []
for (const [target, engine, runtime] of previous === undefined ? plan : []) {
  for (const rate of rates) {
    const row = await ingestPhase(target, engine, runtime, rate, durationSeconds)
    rows.push(row)
    log(`ingest ${target} ${row.engine} ${row.runtime} @${rate ?? 'max'}: ${Math.round(row.client.rps)} req/s, client p99 ${row.client.p99Ms} ms, server p99 ${row.server.p99Ms} ms, turns ${row.turnsPerSecond ?? '-'}/s`)
  }
}

// --- End to end ------------------------------------------------------------------------
/**
 * The same worker settings for Atende and the two-stage chain. The original's 10 jobs/s
 * limiter on ai-response is off: it protects a paid AI account, it is no ceiling of ours.
 * So is the per-number send pacing: the chain has none, the fake Graph API no limit, and
 * with one number at Meta's 80/s every row would read 80 replies/s (the capacity run
 * keeps it on, over 4 numbers).
 */
const SATURATION_SETTINGS = {
  QUEUE_MESSAGE_PROCESSING_CONCURRENCY: '20', QUEUE_AI_RESPONSE_CONCURRENCY: '50', QUEUE_AI_RESPONSE_LIMITER_MAX: '0',
  WHATSAPP_SEND_RATE_PER_SECOND: '0',
}
/** At 1 s AI latency every reply in flight holds a job for a second: concurrency ≈ replies/s × 1 s, with room. */
const CAPACITY_SETTINGS = {
  QUEUE_MESSAGE_PROCESSING_CONCURRENCY: '20', QUEUE_AI_RESPONSE_CONCURRENCY: '500', QUEUE_AI_RESPONSE_LIMITER_MAX: '0',
  // Meta's default per number; stated here so the capacity statement names the limiter it ran with.
  WHATSAPP_SEND_RATE_PER_SECOND: '80', WHATSAPP_SEND_BURST: '1',
  NODE_OPTIONS: '--max-old-space-size=160',
}
/** Reply p99 bound of the capacity statement at 1 s AI latency. */
const CAPACITY_P99_MS = 2_500
/** WhatsApp numbers the capacity run spreads customers over (Meta's default: 80 msgs/s each). */
const CAPACITY_NUMBERS = 4

const e2eDuration = smoke ? 3 : 30
const customers = smoke ? 20 : 200
const saturation = (o: Pick<E2eOptions, 'target' | 'engine' | 'runtime' | 'imageShare'> & { settings?: Record<string, string> }): E2eOptions => ({
  ...o,
  aiLatencyMs: 0,
  load: { customers },
  durationSeconds: e2eDuration,
  warmUpSeconds: smoke ? 1 : 3,
  settings: { ...SATURATION_SETTINGS, ...o.settings },
})
const e2ePlan: E2eOptions[] = smoke
  ? [saturation({ target: 'two-stage', engine: 'pglite', runtime: 'redis' }), saturation({ target: 'atende', engine: 'pglite', runtime: 'in-process', imageShare: 0.05 })]
  : [
      ...(['postgres', 'pglite'] as const).flatMap((engine) => [
        saturation({ target: 'two-stage', engine, runtime: 'redis' }),
        saturation({ target: 'atende', engine, runtime: 'redis' }),
        // Issue #3: peak RSS and replies/s with pictures (read offline in worker threads) beside text only.
        ...(engine === 'postgres' ? [saturation({ target: 'atende', engine, runtime: 'redis', imageShare: 0.1 })] : []),
        saturation({ target: 'atende', engine, runtime: 'in-process' }),
      ]),
      // The same as the first Atende row with the heap bounded: what peak RSS costs in throughput.
      saturation({ target: 'atende', engine: 'postgres', runtime: 'redis', settings: { NODE_OPTIONS: '--max-old-space-size=160' } }),
    ]
const e2eRows: E2eRow[] = e2eOnly ? [] : (previous?.e2e ?? [])
const describeE2e = (r: E2eRow) =>
  `${r.target} ${r.engine} ${r.runtime} ai ${r.aiLatencyMs} ms ${JSON.stringify(r.load)}` +
  `${(r.imageShare ?? 0) > 0 ? ` images ${r.imageShare} (${r.imagesSent} sent, ${r.imageReplies} answered)` : ''}: ${r.messagesPerSecond} msgs/s, ` +
  `p50/p95/p99 ${r.latency.p50Ms}/${r.latency.p95Ms}/${r.latency.p99Ms} ms, rss ${JSON.stringify(r.peakRssMiB)} MiB`
for (const o of previous === undefined || e2eOnly ? e2ePlan : []) {
  const row = await e2ePhase(o)
  e2eRows.push(row)
  log(`e2e ${describeE2e(row)}`)
}

// --- Images: the offline reader on 1 and 2 threads, the vision fallback's own overhead ----
let images: ImagesResult | undefined = previous?.images
if (previous === undefined || imagesOnly) {
  // The smoke run reads one boleto and one PIX code: generating the whole set takes seconds.
  const iterations = smoke ? 1 : 20
  images = { iterations, rows: await runImageBench({ iterations, analysers: await benchAnalysers(), ...(smoke ? { items: [BENCH_ITEMS[0]!, BENCH_ITEMS[3]!] } : {}) }) }
  log(`images, ${iterations} pass${iterations === 1 ? '' : 'es'}:\n${renderImageTable(images.rows)}`)
}

// --- Capacity at 1 s AI latency: the highest arrival rate whose reply p99 holds, then sustained.
let capacity: Capacity | null = previous?.capacity ?? null
if (!smoke && !imagesOnly && !e2eOnly) {
  const open = (conversationsPerSecond: number, seconds: number): E2eOptions => ({
    target: 'atende', engine: 'postgres', runtime: 'redis', aiLatencyMs: 1_000,
    load: { conversationsPerSecond }, durationSeconds: seconds, warmUpSeconds: 10,
    settings: CAPACITY_SETTINGS, numbers: CAPACITY_NUMBERS,
  })
  const sweep: E2eRow[] = []
  let best: number | undefined
  for (const rate of capacityOnly ? [15, 20, 25] : [10, 15, 20, 25, 30, 40]) {
    const row = await e2ePhase(open(rate, 30))
    sweep.push(row)
    log(`capacity sweep ${describeE2e(row)}`)
    // Holding: the bound met, and replies keep up with what arrives (6 messages per conversation).
    if (row.latency.p99Ms > CAPACITY_P99_MS || row.messagesPerSecond < 0.9 * 6 * rate) break
    best = rate
  }
  const sustained = best === undefined ? null : await e2ePhase(open(best, sustainSeconds))
  if (sustained !== null) log(`capacity sustained ${describeE2e(sustained)}`)
  capacity = {
    p99BoundMs: CAPACITY_P99_MS,
    settings: CAPACITY_SETTINGS,
    numbers: CAPACITY_NUMBERS,
    sweep,
    sustained,
    conversationsPerDay: best === undefined || sustained === null || sustained.latency.p99Ms > CAPACITY_P99_MS ? 0 : best * 86_400,
  }
}

/**
 * The command line, and for a partial re-run which part it replaced and when, after the
 * command that wrote the rest: `npm run bench, then npm run bench -- --capacity-only
 * (capacity: 21:53–22:07 UTC)`. The day is named when it is not the file's.
 */
function commandLine(ended: Date): string {
  if (smoke) return 'npm run bench -- --smoke'
  const flags = [capacityOnly ? '--capacity-only' : '', imagesOnly ? '--images-only' : '', e2eOnly ? '--e2e-only' : '', sustainSeconds === 600 ? '' : `--sustain-seconds ${sustainSeconds}`].filter((f) => f !== '')
  const command = `npm run bench${flags.length === 0 ? '' : ` -- ${flags.join(' ')}`}`
  if (previous === undefined) return command
  const day = started.toISOString().slice(0, 10) === previous.date.slice(0, 10) ? '' : `${started.toISOString().slice(0, 10)} `
  const span = `${day}${started.toISOString().slice(11, 16)}–${ended.toISOString().slice(11, 16)} UTC`
  return `${previous.command}, then ${command} (${only}: ${span})`
}

const ended = new Date()
const result: BenchResult = {
  date: previous?.date ?? ended.toISOString(),
  smoke,
  machine,
  command: commandLine(ended),
  durationSeconds: previous?.durationSeconds ?? durationSeconds,
  ingest: rows,
  e2e: e2eRows,
  capacity,
  ...(images === undefined ? {} : { images }),
  ratios: summarise(rows, e2eRows),
}
if (!smoke) {
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(resultsFile, `${JSON.stringify(result, null, 2)}\n`)
  writeReadmeTable(result)
}
process.stdout.write(`${JSON.stringify(result.ratios, null, 2)}\n`)
