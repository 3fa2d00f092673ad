// Image analysers on the generated image set: how long one read() takes and how often it
// returns exactly the code in the picture, per variant. `npx tsx bench/images.ts
// [--iterations N]` prints the table; bench/run.ts calls runImageBench() and keeps the rows.
import { isDeepStrictEqual } from 'node:util'
import { pathToFileURL } from 'node:url'
import { createOpenAiVision } from '../src/ai/index.js'
import { secret } from '../src/config/index.js'
import { createCodeReader, type DecodedCode } from '../src/images/index.js'
import { generateImageSet, IMAGE_VARIANTS, type GeneratedImage, type ImageSetItem } from './images/generate.js'
import { startAiStub } from './lib/fakes.js'
import { renderImageTable } from './report.js'

/** Anything that turns image bytes into codes: the offline reader, a vision model, … */
export interface ImageAnalyser {
  name: string
  read(image: Uint8Array, mimeType: string): Promise<DecodedCode[]>
  close(): Promise<void>
  /** Reads kept in flight at once; above 1 the rows measure reads under load. @defaultValue 1 */
  concurrency?: number
  /**
   * Whether its answers can be scored against the codes in the picture. A fake model's
   * cannot: its rows get no hit rate, and any error fails the bench, since nothing else
   * would show that the reads did not complete. @defaultValue true
   */
  scored?: boolean
}

export interface ImageBenchRow {
  analyser: string
  variant: string
  /** Reads kept in flight at once. */
  concurrency: number
  /** Reads timed: images of this variant × iterations. */
  n: number
  /** Per read, from the call to its answer (queue wait included when reads overlap). */
  medianMs: number
  p95Ms: number
  /** Reads answered per second of wall time over the variant's batch. */
  imagesPerSecond: number
  /** Share of reads that returned exactly the expected codes (`[]` for no-code), 0–1; null when not scored. */
  hitRate: number | null
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

/**
 * The offline reader on `threads` worker threads, kept busy with as many reads at once.
 * One thread is the reader's default, as the image-analysis worker would run it.
 */
export function zxingAnalyser(threads = 1): ImageAnalyser {
  const reader = createCodeReader({ threads })
  return {
    name: `zxing-wasm, ${threads} thread${threads === 1 ? '' : 's'}`,
    concurrency: threads,
    read: (image) => reader.read(image),
    close: () => reader.close(),
  }
}

/**
 * The vision fallback (`createOpenAiVision`) against the bench's AI stub on 127.0.0.1
 * answering at once: our own cost per picture (base64 data URL, HTTP, JSON parsing and
 * validation), not a model's. The stub never looks at the picture, so nothing is scored.
 */
export async function fakeVisionAnalyser(): Promise<ImageAnalyser> {
  const stub = await startAiStub(0)
  const vision = createOpenAiVision({ apiKey: secret('bench'), baseURL: stub.url, model: 'bench', timeoutMs: 10_000, maxImageBytes: 8 * 1024 * 1024 })
  return {
    name: 'vision fallback (fake model, 0 ms)',
    scored: false,
    async read(image, mimeType) {
      await vision.describe({ image, mimeType, language: 'pt-BR', signal: AbortSignal.timeout(10_000) })
      return []
    },
    close: () => stub.close(),
  }
}

/** What `npm run bench` reports: the reader on one and on two threads, and the vision fallback's overhead. */
export async function benchAnalysers(): Promise<ImageAnalyser[]> {
  return [zxingAnalyser(1), zxingAnalyser(2), await fakeVisionAnalyser()]
}

/**
 * Times `read()` of every image, variant by variant, `iterations` times after one untimed
 * warm-up pass (a fresh thread compiles zxing's wasm lazily). Each analyser keeps its
 * `concurrency` reads in flight.
 */
export async function runImageBench(options: { iterations: number; analysers?: ImageAnalyser[]; items?: readonly ImageSetItem[] }): Promise<ImageBenchRow[]> {
  const images = await generateImageSet(options.items ?? BENCH_ITEMS)
  const analysers = options.analysers ?? [zxingAnalyser()]
  const rows: ImageBenchRow[] = []
  try {
    for (const analyser of analysers) {
      // The warm-up's results do not count; the timed batches below see the same images.
      await readAll(analyser, images)
      for (const variant of IMAGE_VARIANTS) {
        const batch = images.filter((image) => image.variant === variant)
        if (batch.length === 0) continue
        const start = performance.now()
        const reads = await readAll(analyser, Array.from({ length: options.iterations }, () => batch).flat())
        const wallMs = performance.now() - start
        const ms = reads.map((r) => r.ms)
        rows.push({
          analyser: analyser.name,
          variant,
          concurrency: analyser.concurrency ?? 1,
          n: reads.length,
          medianMs: percentile(ms, 0.5),
          p95Ms: percentile(ms, 0.95),
          imagesPerSecond: round((reads.length * 1000) / wallMs, 1),
          hitRate: analyser.scored === false ? null : round(reads.filter((r) => r.hit).length / reads.length, 3),
        })
      }
    }
  } finally {
    await Promise.all(analysers.map((a) => a.close()))
  }
  return rows
}

/** Reads every image, `concurrency` at a time, in order; the time and whether it was an exact hit, per image. */
async function readAll(analyser: ImageAnalyser, images: GeneratedImage[]): Promise<Array<{ ms: number; hit: boolean }>> {
  const out: Array<{ ms: number; hit: boolean }> = []
  let next = 0
  const lane = async () => {
    for (let i = next++; i < images.length; i = next++) {
      const image = images[i]!
      const start = performance.now()
      // For a scored analyser an error is a miss, like a wrong or missing code.
      const codes = await analyser.read(image.bytes, image.mime).catch((err: unknown) => {
        if (analyser.scored === false) throw err
        return undefined
      })
      out[i] = { ms: performance.now() - start, hit: isDeepStrictEqual(codes, image.expected) }
    }
  }
  await Promise.all(Array.from({ length: analyser.concurrency ?? 1 }, lane))
  return out
}

/** Nearest-rank percentile, in ms with one decimal. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return round(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!, 1)
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--iterations')
  const iterations = at >= 0 ? Number(process.argv[at + 1]) : 5
  process.stdout.write(`${renderImageTable(await runImageBench({ iterations, analysers: await benchAnalysers() }))}\n`)
}
