import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BENCH_ITEMS, fakeVisionAnalyser, runImageBench, zxingAnalyser, type ImageAnalyser, type ImageBenchRow } from '../../bench/images.js'
import { renderImageTable, renderTable, summarise, type BenchResult } from '../../bench/report.js'

const blind = (o: Partial<ImageAnalyser> = {}): ImageAnalyser => ({ name: 'blind', read: async () => [], close: async () => {}, ...o })

describe('image bench', () => {
  it('times every variant per analyser and counts exact hits', async () => {
    const rows = await runImageBench({ iterations: 1, analysers: [zxingAnalyser(), blind()] })
    expect(rows.map((r) => [r.analyser, r.variant, r.n])).toEqual([
      ['zxing-wasm, 1 thread', 'clean-png', 5], ['zxing-wasm, 1 thread', 'photo-jpeg', 5],
      ['zxing-wasm, 1 thread', 'small-png', 5], ['zxing-wasm, 1 thread', 'no-code', 1],
      ['blind', 'clean-png', 5], ['blind', 'photo-jpeg', 5], ['blind', 'small-png', 5], ['blind', 'no-code', 1],
    ])
    expect(rows.filter((r) => r.analyser === 'blind').map((r) => r.hitRate)).toEqual([0, 0, 0, 1])
    expect(rows.filter((r) => r.analyser !== 'blind').every((r) => r.hitRate === 1 && r.medianMs <= r.p95Ms && r.imagesPerSecond > 0)).toBe(true)
    expect(renderImageTable(rows).split('\n')).toHaveLength(2 + rows.length)
  })

  it('keeps `concurrency` reads in flight', async () => {
    let inFlight = 0
    let most = 0
    const read = async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((resolve) => setImmediate(resolve))
      inFlight--
      return []
    }
    // No items: the set is then the one no-code photo, read twice.
    const rows = await runImageBench({ iterations: 2, items: [], analysers: [blind({ read, concurrency: 2 })] })
    expect(most).toBe(2)
    expect(rows.every((r) => r.concurrency === 2)).toBe(true)
  })

  it('scores no hit rate for the fake vision model, and fails on its errors rather than counting misses', async () => {
    const rows = await runImageBench({ iterations: 1, items: BENCH_ITEMS.slice(0, 1), analysers: [await fakeVisionAnalyser()] })
    expect(rows.map((r) => [r.analyser, r.variant, r.hitRate])).toEqual(
      ['clean-png', 'photo-jpeg', 'small-png', 'no-code'].map((variant) => ['vision fallback (fake model, 0 ms)', variant, null]),
    )
    expect(renderImageTable(rows)).toContain('| — |')
    const broken = blind({ scored: false, read: async () => { throw new Error('the stub answered nonsense') } })
    await expect(runImageBench({ iterations: 1, items: [], analysers: [broken] })).rejects.toThrow('the stub answered nonsense')
  })
})

describe('bench report', () => {
  // Saved before the image bench existed; without its images section whatever was merged since.
  const { images: _, ...before } = JSON.parse(readFileSync(new URL('../../bench/results/2026-11-25.json', import.meta.url), 'utf8')) as BenchResult

  it('renders results without images as before', () => {
    expect(renderTable(before)).not.toContain('**Images**')
  })

  it('adds an Images table after the other sections', () => {
    const row: ImageBenchRow = { analyser: 'zxing-wasm, 1 thread', variant: 'clean-png', concurrency: 1, n: 5, medianMs: 8, p95Ms: 14.8, imagesPerSecond: 110.2, hitRate: 1 }
    const text = renderTable({ ...before, images: { iterations: 1, rows: [row, { ...row, analyser: 'vision fallback (fake model, 0 ms)', hitRate: null }] } })
    expect(text.startsWith(`${renderTable(before)}\n\n**Images**`)).toBe(true)
    expect(text).toContain('| zxing-wasm, 1 thread | clean-png | 1 | 5 | 8 | 14.8 | 110.2 | 100% |')
    expect(text).toContain('| vision fallback (fake model, 0 ms) | clean-png | 1 | 5 | 8 | 14.8 | 110.2 | — |')
    expect(text).toContain('GPT-4o')
  })

  it('shows each e2e row\'s traffic: older rows are text, and only text rows make the two-stage ratio', () => {
    expect(renderTable(before)).toContain('| atende | postgres | redis | 0 | 200 customers | text | 30 | 244 |')
    expect(renderTable(before)).not.toContain('In rows with images')
    const text = before.e2e[1]!
    const images = { ...text, imageShare: 0.1, imagesSent: 700, imageReplies: 690, messagesPerSecond: 1 }
    const rendered = renderTable({ ...before, e2e: [...before.e2e, images] })
    expect(rendered).toContain('| atende | postgres | redis | 0 | 200 customers | 10% images | 30 | 1 |')
    expect(rendered).toContain('In rows with images')
    expect(summarise(before.ingest, [...before.e2e, images]).e2eVsTwoStage).toEqual(summarise(before.ingest, before.e2e).e2eVsTwoStage)
  })
})
