import { describe, expect, it } from 'vitest'
import { renderImageTable, runImageBench, zxingAnalyser, type ImageAnalyser } from '../../bench/images.js'

describe('image bench', () => {
  it('times every variant per analyser and counts exact hits', async () => {
    const blind: ImageAnalyser = { name: 'blind', read: async () => [], close: async () => {} }
    const rows = await runImageBench({ iterations: 1, analysers: [zxingAnalyser(), blind] })
    expect(rows.map((r) => [r.analyser, r.variant, r.n])).toEqual([
      ['zxing-wasm (1 thread)', 'clean-png', 5], ['zxing-wasm (1 thread)', 'photo-jpeg', 5],
      ['zxing-wasm (1 thread)', 'small-png', 5], ['zxing-wasm (1 thread)', 'no-code', 1],
      ['blind', 'clean-png', 5], ['blind', 'photo-jpeg', 5], ['blind', 'small-png', 5], ['blind', 'no-code', 1],
    ])
    expect(rows.filter((r) => r.analyser === 'blind').map((r) => r.hitRate)).toEqual([0, 0, 0, 1])
    expect(rows.filter((r) => r.analyser !== 'blind').every((r) => r.hitRate === 1 && r.medianMs <= r.p95Ms)).toBe(true)
    expect(renderImageTable(rows).split('\n')).toHaveLength(2 + rows.length)
  })
})
