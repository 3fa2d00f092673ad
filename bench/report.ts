import type { IngestRow } from './ingest.js'

export interface Ratios {
  /** Saturation req/s of atende ÷ the naive durable webhook, per engine (target ≥ 1.5). */
  ingestVsNaive: Record<string, number>
  /** Saturation req/s of atende ÷ the bare route (target ≥ 0.5). */
  ingestVsBare: Record<string, number>
}

const round = (x: number) => Math.round(x * 100) / 100

export function summarise(rows: IngestRow[]): Ratios {
  // Saturation when measured; otherwise (the smoke run) the highest fixed rate.
  const top = rows.some((r) => r.rate === null) ? null : Math.max(...rows.map((r) => r.rate ?? 0))
  const saturation = rows.filter((r) => r.rate === top)
  const bare = saturation.find((r) => r.target === 'bare')
  const out: Ratios = { ingestVsNaive: {}, ingestVsBare: {} }
  for (const r of saturation.filter((x) => x.target === 'atende')) {
    const naive = saturation.find((x) => x.target === 'naive-durable' && x.engine === r.engine)
    const key = `${r.engine}/${r.runtime}`
    if (naive !== undefined) out.ingestVsNaive[key] = round(r.client.rps / naive.client.rps)
    if (bare !== undefined) out.ingestVsBare[key] = round(r.client.rps / bare.client.rps)
  }
  return out
}

export function renderTable(result: { date: string; machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string }; command: string; durationSeconds: number; ingest: IngestRow[]; ratios: Ratios }): string {
  const lines = [
    `Webhook ingest, ${result.durationSeconds} s per phase, ${result.date.slice(0, 10)} on ${result.machine.cpus} cores (${result.machine.cpuModel}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}; \`${result.command}\`. The load generator shares the machine, so compare rows, not absolute figures.`,
    '',
    '| server | database | runtime | offered req/s | answered req/s | turns replied/s | client p50 / p99 / p99.9 ms | server p50 / p99 / p99.9 ms | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.ingest.map((r) =>
      `| ${r.target} | ${r.engine} | ${r.runtime} | ${r.rate ?? 'saturation'} | ${Math.round(r.client.rps)} | ${r.turnsPerSecond ?? '-'} | ${r.client.p50Ms} / ${r.client.p99Ms} / ${r.client.p999Ms} | ${r.server.p50Ms} / ${r.server.p99Ms} / ${r.server.p999Ms} | ${r.client.errors + r.client.non2xx} |`,
    ),
    '',
    `Saturation ratios — atende ÷ naive durable webhook (target ≥ 1.5): ${fmt(result.ratios.ingestVsNaive)}; atende ÷ bare route (target ≥ 0.5): ${fmt(result.ratios.ingestVsBare)}.`,
  ]
  return lines.join('\n')
}

function fmt(r: Record<string, number>): string {
  return Object.entries(r).map(([k, v]) => `${k} ${v}×`).join(', ') || 'n/a'
}
