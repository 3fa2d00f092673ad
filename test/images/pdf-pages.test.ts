import { describe, expect, it } from 'vitest'
import { RENDER_SCALE, renderScale } from '../../src/images/pdf-pages.js'

const MP16 = 16 * 1024 * 1024
const pixels = (w: number, h: number, scale: number) => Math.floor(w * scale) * Math.floor(h * scale)

describe('render scale of a PDF page', () => {
  it('renders an A4 or Letter page at 216 dpi', () => {
    expect(renderScale(595, 842, MP16)).toBe(RENDER_SCALE)
    expect(renderScale(612, 792, MP16)).toBe(RENDER_SCALE)
  })

  it('keeps a huge page within the pixel cap', () => {
    for (const [w, h] of [[100_000, 100_000], [14_400, 14_400], [3_000, 2_000], [1e9, 1e9]] as const) {
      const scale = renderScale(w, h, MP16)!
      expect(scale).toBeLessThan(RENDER_SCALE)
      expect(pixels(w, h, scale)).toBeLessThanOrEqual(MP16)
    }
  })

  it('keeps a long thin page within 16 384 px a side', () => {
    const scale = renderScale(100_000, 10, MP16)!
    expect(Math.floor(100_000 * scale)).toBeLessThanOrEqual(16_384)
    expect(Math.floor(10 * scale)).toBeGreaterThanOrEqual(1)
  })

  it('renders no page without an area, or one that would be under a pixel thick', () => {
    for (const [w, h] of [[0, 842], [595, 0], [-595, 842], [Number.NaN, 842], [Number.POSITIVE_INFINITY, 842], [1e300, 1e300], [1e9, 1]]) {
      expect(renderScale(w!, h!, MP16)).toBeUndefined()
    }
  })
})
