// Image analysers on the generated image set: how long one read() takes and how often it
// returns exactly the code in the picture, per variant. `npx tsx bench/images.ts
// [--iterations N]` prints the table; bench/run.ts can call runImageBench() and keep the rows.
import { isDeepStrictEqual } from 'node:util'
import { pathToFileURL } from 'node:url'
import { createCodeReader, type DecodedCode } from '../src/images/index.js'
import { generateImageSet, type ImageSetItem } from './images/generate.js'

/** Anything that turns image bytes into codes: the offline reader, a vision model, … */
export interface ImageAnalyser {
  name: string
  read(image: Uint8Array): Promise<DecodedCode[]>
  close(): Promise<void>
}

export interface ImageBenchRow {
  analyser: string
  variant: string
  /** Reads timed: images of this variant × iterations. */
  n: number
  medianMs: number
  p95Ms: number
  /** Share of reads that returned exactly the expected codes (`[]` for no-code), 0–1. */
  hitRate: number
}

/** Fictional boletos (bank and utility layouts) and PIX BR Codes (static and dynamic). */
export const BENCH_ITEMS: ImageSetItem[] = [
  { name: 'boleto-bank-1', format: 'ITF', text: '23793381286000123456789012345678901234567890' },
  { name: 'boleto-bank-2', format: 'ITF', text: '00191000000000000000000000000000000000000017' },
  { name: 'boleto-utility', format: 'ITF', text: '84670000001435900240200240500024384221010811' },
  {
    name: 'pix-static',
    format: 'QRCode',
    text: '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Loja Exemplo6009SAO PAULO62070503***63041D3D',
  },
  {
    name: 'pix-dynamic',
    format: 'QRCode',
    text: '00020101021226850014br.gov.bcb.pix2563pix.example.com.br/qr/v2/cobv/9d36b84fc70b478fb95c12729b90ca255204000053039865406123.455802BR5913Loja Exemplo6009SAO PAULO62070503***6304A1B2',
  },
]

/** The offline reader as the image-analysis worker would run it: one thread. */
export function zxingAnalyser(): ImageAnalyser {
  const reader = createCodeReader({ threads: 1 })
  return { name: 'zxing-wasm (1 thread)', read: (image) => reader.read(image), close: () => reader.close() }
}

/**
 * Times `read()` of every image of every variant, one at a time, `iterations` times after
 * one untimed warm-up pass (a fresh thread compiles zxing's wasm lazily).
 */
export async function runImageBench(options: { iterations: number; analysers?: ImageAnalyser[] }): Promise<ImageBenchRow[]> {
  const images = await generateImageSet(BENCH_ITEMS)
  const analysers = options.analysers ?? [zxingAnalyser()]
  const rows: ImageBenchRow[] = []
  try {
    for (const analyser of analysers) {
      // The warm-up's results and errors do not count; the timed pass below sees the same images.
      for (const image of images) await analyser.read(image.bytes).catch(() => [])
      const samples = new Map<string, { ms: number[]; hits: number }>()
      for (let i = 0; i < options.iterations; i++) {
        for (const image of images) {
          const start = performance.now()
          // An error is a miss, like a wrong or missing code.
          const codes = await analyser.read(image.bytes).catch(() => undefined)
          const ms = performance.now() - start
          const s = samples.get(image.variant) ?? { ms: [], hits: 0 }
          s.ms.push(ms)
          if (isDeepStrictEqual(codes, image.expected)) s.hits += 1
          samples.set(image.variant, s)
        }
      }
      for (const [variant, s] of samples) {
        rows.push({ analyser: analyser.name, variant, n: s.ms.length, medianMs: percentile(s.ms, 0.5), p95Ms: percentile(s.ms, 0.95), hitRate: round(s.hits / s.ms.length, 3) })
      }
    }
  } finally {
    await Promise.all(analysers.map((a) => a.close()))
  }
  return rows
}

/** Nearest-rank percentile, in ms with one decimal. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!, 1)
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

/** The rows as a Markdown table, in the style of bench/report.ts. */
export function renderImageTable(rows: ImageBenchRow[]): string {
  return [
    '| analyser | variant | reads | median ms | p95 ms | exact hits |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.analyser} | ${r.variant} | ${r.n} | ${r.medianMs} | ${r.p95Ms} | ${Math.round(r.hitRate * 100)}% |`),
  ].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--iterations')
  const iterations = at >= 0 ? Number(process.argv[at + 1]) : 5
  process.stdout.write(`${renderImageTable(await runImageBench({ iterations }))}\n`)
}
