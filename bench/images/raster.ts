// Small RGBA raster operations for the generated image set: enough to turn a crisp symbol
// into something that looks like a phone photo of paper. Pure JS, deterministic.

export interface Raster {
  width: number
  height: number
  /** RGBA, 4 bytes per pixel, row-major. */
  data: Uint8ClampedArray
}

/** A seeded PRNG (mulberry32): the same seed gives the same image bytes on every run. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A stable 32-bit seed from a name (FNV-1a). */
export function seedOf(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

export function createRaster(width: number, height: number, grey: number): Raster {
  const data = new Uint8ClampedArray(width * height * 4).fill(grey)
  for (let i = 3; i < data.length; i += 4) data[i] = 255
  return { width, height, data }
}

export function fillRect(r: Raster, x0: number, y0: number, w: number, h: number, grey: number): void {
  for (let y = Math.max(0, y0); y < Math.min(r.height, y0 + h); y++) {
    for (let x = Math.max(0, x0); x < Math.min(r.width, x0 + w); x++) {
      const i = (y * r.width + x) * 4
      r.data[i] = r.data[i + 1] = r.data[i + 2] = grey
    }
  }
}

/** Copies a one-channel module image (0 = dark) onto `r`, each module `scale` pixels wide and `scaleY` tall. */
export function drawModules(r: Raster, modules: { width: number; height: number; data: ArrayLike<number> }, at: { x: number; y: number; scale: number; scaleY?: number }): void {
  const scaleY = at.scaleY ?? at.scale
  for (let my = 0; my < modules.height; my++) {
    for (let mx = 0; mx < modules.width; mx++) {
      if (modules.data[my * modules.width + mx]! < 128) fillRect(r, at.x + mx * at.scale, at.y + my * scaleY, at.scale, scaleY, 0)
    }
  }
}

/** Bilinear sample of the red channel (every raster here is grey: R = G = B). */
function sample(r: Raster, x: number, y: number, background: number): number {
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const fx = x - x0
  const fy = y - y0
  const { width, height, data } = r
  const inside = x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height
  if (!inside) return background
  const i = (y0 * width + x0) * 4
  const j = i + width * 4
  const top = data[i]! * (1 - fx) + data[i + 4]! * fx
  const bottom = data[j]! * (1 - fx) + data[j + 4]! * fx
  return top * (1 - fy) + bottom * fy
}

/**
 * Rotates by `degrees` about the centre and scales by `scale` into a `width`×`height` raster,
 * sampling bilinearly. Downscaling averages several samples per pixel, so thin bars blend
 * into grey as a camera would render them instead of vanishing.
 */
export function transform(src: Raster, o: { width: number; height: number; degrees: number; scale: number; background: number }): Raster {
  const dst = createRaster(o.width, o.height, o.background)
  const angle = (o.degrees * Math.PI) / 180
  const cos = Math.cos(angle) / o.scale
  const sin = Math.sin(angle) / o.scale
  const n = Math.max(1, Math.ceil(1 / o.scale))
  for (let y = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++) {
      let sum = 0
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const dx = x + (sx + 0.5) / n - 0.5 - o.width / 2
          const dy = y + (sy + 0.5) / n - 0.5 - o.height / 2
          sum += sample(src, cos * dx + sin * dy + src.width / 2, -sin * dx + cos * dy + src.height / 2, o.background)
        }
      }
      const i = (y * o.width + x) * 4
      dst.data[i] = dst.data[i + 1] = dst.data[i + 2] = sum / (n * n)
    }
  }
  return dst
}

/** A [1 2 1]² blur: a slightly soft focus. */
export function blur(src: Raster): Raster {
  const dst = createRaster(src.width, src.height, 0)
  const k = [1, 2, 1]
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0
        for (let j = -1; j <= 1; j++) {
          for (let i = -1; i <= 1; i++) {
            const px = Math.min(src.width - 1, Math.max(0, x + i))
            const py = Math.min(src.height - 1, Math.max(0, y + j))
            sum += src.data[(py * src.width + px) * 4 + c]! * k[i + 1]! * k[j + 1]!
          }
        }
        dst.data[(y * src.width + x) * 4 + c] = sum / 16
      }
    }
  }
  return dst
}

/** Sensor noise (sum of three uniforms ≈ gaussian, standard deviation `sigma`) and uneven light. */
export function addNoise(r: Raster, random: () => number, sigma: number, light: { dx: number; dy: number }): void {
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const shade = light.dx * (x / r.width - 0.5) + light.dy * (y / r.height - 0.5)
      const grain = (random() + random() + random() - 1.5) * 2 * sigma
      const i = (y * r.width + x) * 4
      for (let c = 0; c < 3; c++) r.data[i + c] = r.data[i + c]! + shade + grain
    }
  }
}

/** Lines of short dark dashes where text would be on a printed page, outside `keepOut`. */
export function addTextLines(r: Raster, random: () => number, keepOut: { x: number; y: number; w: number; h: number }): void {
  const lineHeight = Math.max(8, Math.round(r.height / 110))
  for (let y = lineHeight; y < r.height - lineHeight; y += lineHeight * 2) {
    let x = Math.round(r.width * 0.05)
    while (x < r.width * 0.92) {
      const w = Math.round(lineHeight * (0.6 + random() * 3))
      const clear = x + w < keepOut.x || x > keepOut.x + keepOut.w || y + lineHeight < keepOut.y || y > keepOut.y + keepOut.h
      if (clear) fillRect(r, x, y, w, Math.round(lineHeight * 0.8), 70 + Math.round(random() * 60))
      x += w + Math.round(lineHeight * 0.6)
    }
  }
}
