// The generated image set: boletos and PIX QR codes as a customer would send them, from a
// crisp render to a tilted, blurred, noisy JPEG phone photo. Seeded, so every run produces
// the same bytes and a benchmark or test result can be compared across runs.
import jpeg from 'jpeg-js'
import pngjs from 'pngjs'
import { addNoise, addTextLines, blur, createRandom, createRaster, drawModules, seedOf, transform, type Raster } from './raster.js'
import { renderModules, type Modules } from './symbols.js'

export type ImageVariant = 'clean-png' | 'photo-jpeg' | 'small-png' | 'no-code'
export const IMAGE_VARIANTS: readonly ImageVariant[] = ['clean-png', 'photo-jpeg', 'small-png', 'no-code']

export interface ImageSetItem {
  name: string
  format: 'QRCode' | 'ITF'
  text: string
}

export interface GeneratedImage {
  name: string
  variant: ImageVariant
  mime: 'image/png' | 'image/jpeg'
  bytes: Uint8Array
  /** What a perfect reader returns (a `DecodedCode[]`): the item's symbol, or nothing for `no-code`. */
  expected: Array<Pick<ImageSetItem, 'format' | 'text'>>
}

/** Per format: pixels per module when crisp, quiet zone in modules, and the phone photo's frame. */
const LAYOUT = {
  // A boleto's barcode is about 103 mm × 13 mm; ITF needs a quiet zone of at least 10 modules.
  ITF: { modulePx: 3, quietModules: 12, photo: { width: 1200, height: 1600, scale: 0.85, symbolAt: 0.7 } },
  QRCode: { modulePx: 8, quietModules: 4, photo: { width: 800, height: 800, scale: 0.9, symbolAt: 0.5 } },
} as const
const BOLETO_HEIGHT_PER_LENGTH = 13 / 103
const PAPER_GREY = 232
const TABLE_GREY = 90
const JPEG_QUALITY = 70
/** Modules of `small-png` are about this many pixels wide. */
const SMALL_MODULE_PX = 2

/**
 * Every item in every requested variant, plus one `no-code` photo when that variant is
 * requested. Same input, same bytes.
 */
export async function generateImageSet(items: readonly ImageSetItem[], variants: readonly ImageVariant[] = IMAGE_VARIANTS): Promise<GeneratedImage[]> {
  const out: GeneratedImage[] = []
  for (const item of items) {
    const modules = await renderModules(item.format, item.text)
    const clean = renderClean(item.format, modules)
    const expected = [{ format: item.format, text: item.text }]
    for (const variant of variants) {
      const base = { name: item.name, variant, expected }
      if (variant === 'clean-png') out.push({ ...base, mime: 'image/png', bytes: encodePng(clean) })
      if (variant === 'small-png') out.push({ ...base, mime: 'image/png', bytes: encodePng(downscale(item.format, clean)) })
      if (variant === 'photo-jpeg') out.push({ ...base, mime: 'image/jpeg', bytes: encodeJpeg(photograph(item, clean)) })
    }
  }
  if (variants.includes('no-code')) out.push({ name: 'no-code', variant: 'no-code', mime: 'image/jpeg', bytes: encodeJpeg(photographNothing()), expected: [] })
  return out
}

/** The symbol on white with its quiet zone; an ITF bar is as tall as a boleto's is for its length. */
function renderClean(format: ImageSetItem['format'], modules: Modules): Raster {
  const { modulePx, quietModules } = LAYOUT[format]
  const heightModules = format === 'ITF' ? Math.round(modules.width * BOLETO_HEIGHT_PER_LENGTH) : modules.height
  const r = createRaster((modules.width + 2 * quietModules) * modulePx, (heightModules + 2 * quietModules) * modulePx, 255)
  const scaleY = format === 'ITF' ? heightModules * modulePx : modulePx
  drawModules(r, modules, { x: quietModules * modulePx, y: quietModules * modulePx, scale: modulePx, scaleY })
  return r
}

function downscale(format: ImageSetItem['format'], clean: Raster): Raster {
  const scale = SMALL_MODULE_PX / LAYOUT[format].modulePx
  return transform(clean, { width: Math.round(clean.width * scale), height: Math.round(clean.height * scale), degrees: 0, scale, background: 255 })
}

/**
 * The symbol printed on a light-grey page among lines of "text", photographed slightly
 * tilted on a darker table, a little out of focus, with sensor noise and uneven light.
 */
function photograph(item: ImageSetItem, clean: Raster): Raster {
  const random = createRandom(seedOf(`${item.name}/photo-jpeg`))
  const { width, height, scale, symbolAt } = LAYOUT[item.format].photo
  const paper = createRaster(Math.round(width / scale), Math.round(height / scale), PAPER_GREY)
  if (clean.width > paper.width) throw new RangeError(`'${item.name}' renders ${clean.width} px wide; the ${item.format} photo frame fits ${paper.width}`)
  const x = Math.round((paper.width - clean.width) / 2)
  const y = Math.round(paper.height * symbolAt - clean.height / 2)
  addTextLines(paper, random, { x, y, w: clean.width, h: clean.height })
  paste(paper, clean, x, y)
  return photo(paper, random, { width, height, scale })
}

function photographNothing(): Raster {
  const random = createRandom(seedOf('no-code'))
  const paper = createRaster(1412, 1882, PAPER_GREY)
  addTextLines(paper, random, { x: 0, y: 0, w: 0, h: 0 })
  return photo(paper, random, { width: 1200, height: 1600, scale: 0.85 })
}

function photo(paper: Raster, random: () => number, frame: { width: number; height: number; scale: number }): Raster {
  // A few degrees either way, never level: a hand-held phone.
  const degrees = (1 + random() * 2) * (random() < 0.5 ? -1 : 1)
  const shot = blur(transform(paper, { ...frame, degrees, background: TABLE_GREY }))
  addNoise(shot, random, 5, { dx: (random() - 0.5) * 40, dy: (random() - 0.5) * 40 })
  return shot
}

/** Copies `src` onto `dst` at (x, y), the clean render's white included (the label on the page). */
function paste(dst: Raster, src: Raster, x: number, y: number): void {
  for (let row = 0; row < src.height; row++) {
    const from = row * src.width * 4
    dst.data.set(src.data.subarray(from, from + src.width * 4), ((y + row) * dst.width + x) * 4)
  }
}

function encodePng(r: Raster): Uint8Array {
  const png = new pngjs.PNG({ width: r.width, height: r.height })
  png.data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength)
  // Greyscale: a quarter of the RGBA size, and what a scan of a slip is.
  return new Uint8Array(pngjs.PNG.sync.write(png, { colorType: 0 }))
}

function encodeJpeg(r: Raster): Uint8Array {
  return new Uint8Array(jpeg.encode({ width: r.width, height: r.height, data: r.data }, JPEG_QUALITY).data)
}
