import type { E2eRow } from './e2e.js'
import type { ImageBenchRow } from './images.js'
import type { IngestRow } from './ingest.js'

export interface Ratios {
  /** Saturation req/s of atende ÷ the naive durable webhook, per engine (target ≥ 1.5). */
  ingestVsNaive: Record<string, number>
  /** Saturation req/s of atende ÷ the bare route (target ≥ 0.5). */
  ingestVsBare: Record<string, number>
  /** End to end at 0 ms AI, messages/s of atende ÷ the bare two-stage chain on the same database (target ≥ 0.8). */
  e2eVsTwoStage: Record<string, number>
}

export interface Capacity {
  p99BoundMs: number
  settings: Record<string, string>
  numbers: number
  sweep: E2eRow[]
  sustained: E2eRow | null
  /** Arrival rate held (new conversations/s) × 86,400; 0 when none held. */
  conversationsPerDay: number
}

export interface ImagesResult {
  /** Timed passes over the generated image set, after one untimed warm-up pass. */
  iterations: number
  /** One row per analyser × variant. */
  rows: ImageBenchRow[]
}

export interface BenchResult {
  /** When the run that wrote the file ended; `--capacity-only` and `--images-only` keep it and add their times to `command`. */
  date: string
  smoke: boolean
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string }
  command: string
  durationSeconds: number
  ingest: IngestRow[]
  e2e: E2eRow[]
  capacity: Capacity | null
  /** Absent from results written before the image bench existed. */
  images?: ImagesResult
  ratios: Ratios
}

const round = (x: number) => Math.round(x * 100) / 100

export function summarise(rows: IngestRow[], e2e: E2eRow[]): Ratios {
  // Saturation when measured; otherwise (the smoke run) the highest fixed rate.
  const top = rows.some((r) => r.rate === null) ? null : Math.max(...rows.map((r) => r.rate ?? 0))
  const saturation = rows.filter((r) => r.rate === top)
  const bare = saturation.find((r) => r.target === 'bare')
  const out: Ratios = { ingestVsNaive: {}, ingestVsBare: {}, e2eVsTwoStage: {} }
  for (const r of saturation.filter((x) => x.target === 'atende' || x.target === 'atende-split')) {
    const naive = saturation.find((x) => x.target === 'naive-durable' && x.engine === r.engine)
    const key = `${r.target === 'atende' ? 'serve' : 'api+worker'} ${r.engine}/${r.runtime}`
    if (naive !== undefined) out.ingestVsNaive[key] = round(r.client.rps / naive.client.rps)
    if (bare !== undefined) out.ingestVsBare[key] = round(r.client.rps / bare.client.rps)
  }
  // Text traffic only: the chain answers a picture without downloading it.
  for (const r of e2e.filter((x) => x.target === 'atende' && x.aiLatencyMs === 0 && x.settings.NODE_OPTIONS === undefined && (x.imageShare ?? 0) === 0)) {
    const chain = e2e.find((x) => x.target === 'two-stage' && x.engine === r.engine)
    if (chain !== undefined && chain.messagesPerSecond > 0) out.e2eVsTwoStage[`${r.engine}/${r.runtime}`] = round(r.messagesPerSecond / chain.messagesPerSecond)
  }
  return out
}

const settingsText = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(' ')

/** `text`, or the share of messages that were pictures (`10% images`); rows from before pictures existed are text. */
const traffic = (r: E2eRow) => ((r.imageShare ?? 0) === 0 ? 'text' : `${Number(((r.imageShare ?? 0) * 100).toFixed(1))}% images`)

function e2eLine(r: E2eRow): string {
  const load = 'customers' in r.load ? `${r.load.customers} customers` : `${r.load.conversationsPerSecond} conv/s`
  const rss = Object.values(r.peakRssMiB).join(' / ')
  return `| ${r.target} | ${r.engine} | ${r.runtime} | ${r.aiLatencyMs} | ${load} | ${traffic(r)} | ${r.durationSeconds} | ${r.messagesPerSecond} | ${r.latency.p50Ms} / ${r.latency.p95Ms} / ${r.latency.p99Ms} | ${rss} | ${r.settings.NODE_OPTIONS ?? '-'} |`
}

/** Said only when a row sent pictures, so older results render as they did. */
function imagesNote(rows: E2eRow[]): string {
  if (!rows.some((r) => (r.imageShare ?? 0) > 0)) return ''
  return '. In rows with images, that share of messages are JPEG phone photos of boletos and PIX QR codes, each downloaded from the fake Graph API and read before its reply, which is timed the same way'
}

export function renderTable(result: BenchResult): string {
  const lines = [
    `${result.date.slice(0, 10)} on ${result.machine.cpus} cores (${result.machine.cpuModel}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}; \`${result.command}\`. The load generator, PostgreSQL and Redis share the machine, so compare rows, not absolute figures.`,
    '',
    `**Webhook ingest**, ${result.durationSeconds} s per phase:`,
    '',
    '| server | database | runtime | offered req/s | answered req/s | turns replied/s | client p50 / p99 / p99.9 ms | server p50 / p99 / p99.9 ms | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.ingest.map((r) =>
      `| ${r.target} | ${r.engine} | ${r.runtime} | ${r.rate ?? 'saturation'} | ${Math.round(r.client.rps)} | ${r.turnsPerSecond ?? '-'} | ${r.client.p50Ms} / ${r.client.p99Ms} / ${r.client.p999Ms} | ${r.server.p50Ms} / ${r.server.p99Ms} / ${r.server.p999Ms} | ${r.client.errors + r.client.non2xx} |`,
    ),
    '',
    `Saturation ratios — atende ÷ naive durable webhook (target ≥ 1.5): ${fmt(result.ratios.ingestVsNaive)}; atende ÷ bare route (target ≥ 0.5): ${fmt(result.ratios.ingestVsBare)}.`,
  ]
  if (result.e2e.length > 0) {
    const settings = result.e2e[0]!.settings
    lines.push(
      '',
      `**End to end** (signed webhook → queues → fake AI → fake Graph API; each customer writes, waits for the reply, writes again; \`DEBOUNCE_MS=0\`; ${settingsText(settings)}). Latency is webhook POST → the Graph call carrying its reply${imagesNote(result.e2e)}:`,
      '',
      '| system | database | runtime | AI ms | load | traffic | seconds | replies/s | reply p50 / p95 / p99 ms | peak RSS MiB | node flags |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...result.e2e.map(e2eLine),
      '',
      `End-to-end ratio at 0 ms AI — atende ÷ bare two-stage BullMQ chain (target ≥ 0.8): ${fmt(result.ratios.e2eVsTwoStage)}.`,
    )
  }
  const c = result.capacity
  if (c !== null) {
    lines.push(
      '',
      `**Capacity at 1 s AI latency** (PostgreSQL + Redis, ${c.numbers} WhatsApp numbers, ${settingsText(c.settings)}; new conversations arrive at a fixed rate, 6 messages each; held = reply p99 ≤ ${c.p99BoundMs} ms and replies keep up):`,
      '',
      '| system | database | runtime | AI ms | load | traffic | seconds | replies/s | reply p50 / p95 / p99 ms | peak RSS MiB | node flags |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
      ...c.sweep.map(e2eLine),
      ...(c.sustained === null ? [] : [e2eLine(c.sustained).replace('| atende |', '| atende (sustained) |')]),
      '',
      c.conversationsPerDay > 0 && c.sustained !== null
        ? `Vacuum: ${c.sustained.vacuum}. Held for ${c.sustained.durationSeconds} s: **${c.conversationsPerDay.toLocaleString('en-US')} conversations/day** equivalent; the busiest number sent ${c.sustained.peakPerNumberPerSecond} replies in one second (Meta's default limit: 80/s per number).`
        : `No arrival rate held the bound${c.sustained === null ? '' : ` (vacuum: ${c.sustained.vacuum})`}.`,
      ...(c.sustained?.p99ByMinuteMs === undefined ? [] : ['', `Sustained run, reply p99 minute by minute (ms): ${c.sustained.p99ByMinuteMs.join(', ')}.`]),
    )
  }
  if (result.images !== undefined) {
    lines.push(
      '',
      `**Images**, ${plural(result.images.iterations, 'pass', 'passes')} over the generated set after a warm-up (boleto ITF barcodes and PIX QR codes as a clean PNG, a tilted, blurred JPEG phone photo and a small PNG, plus one photo with no code); times are per read with that many reads in flight, images/s is reads ÷ the batch's wall time, and a hit is exactly the codes in the picture:`,
      '',
      renderImageTable(result.images.rows),
      '',
      'The vision row is our own cost per picture (data URL, HTTP on 127.0.0.1, JSON parsing) against a fake model answering at once; a real model\'s time comes on top. The original system sent every picture to GPT-4o, which the bench does not call (it sends nothing beyond 127.0.0.1), so there is no baseline row.',
    )
  }
  return lines.join('\n')
}

/** The image bench's rows as a Markdown table; `—` where a hit rate means nothing (a fake model). */
export function renderImageTable(rows: ImageBenchRow[]): string {
  return [
    '| analyser | variant | in flight | reads | median ms | p95 ms | images/s | hit rate |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      `| ${r.analyser} | ${r.variant} | ${r.concurrency} | ${r.n} | ${r.medianMs} | ${r.p95Ms} | ${r.imagesPerSecond} | ${r.hitRate === null ? '—' : `${Math.round(r.hitRate * 100)}%`} |`,
    ),
  ].join('\n')
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

function fmt(r: Record<string, number>): string {
  return Object.entries(r).map(([k, v]) => `${k} ${v}×`).join(', ') || 'n/a'
}
