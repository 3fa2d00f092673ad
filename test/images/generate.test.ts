import jpeg from 'jpeg-js'
import pngjs from 'pngjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet, type GeneratedImage, type ImageSetItem } from '../../bench/images/generate.js'

const BOLETO: ImageSetItem = { name: 'boleto', format: 'ITF', text: '23793381286000123456789012345678901234567890' }
const PIX: ImageSetItem = { name: 'pix', format: 'QRCode', text: '00020126360014br.gov.bcb.pix0114+55119000000005204000053039865802BR5913Loja Exemplo6009SAO PAULO62070503***6304ABCD' }

function pixels(bytes: Uint8Array, mime: string): { width: number; height: number; data: Uint8Array } {
  return mime === 'image/png' ? pngjs.PNG.sync.read(Buffer.from(bytes)) : jpeg.decode(bytes, { useTArray: true })
}

/** Widths of the dark and light runs along one row. */
function runs(image: { width: number; data: Uint8Array }, row: number): number[] {
  const out: number[] = []
  let dark = image.data[row * image.width * 4]! < 128
  let length = 0
  for (let x = 0; x < image.width; x++) {
    const isDark = image.data[(row * image.width + x) * 4]! < 128
    if (isDark === dark) length += 1
    else { out.push(length); dark = isDark; length = 1 }
  }
  return [...out, length]
}

describe('generated image set', () => {
  let set: GeneratedImage[]
  beforeAll(async () => { set = await generateImageSet([BOLETO, PIX]) })
  const find = (name: string, variant: string) => set.find((i) => i.name === name && i.variant === variant)!

  it('produces the same bytes on every run', async () => {
    const [a, b] = [set, await generateImageSet([BOLETO, PIX])]
    expect(a.map((i) => [i.name, i.variant, i.mime, i.bytes.length])).toEqual(b.map((i) => [i.name, i.variant, i.mime, i.bytes.length]))
    expect(a.every((image, k) => Buffer.compare(image.bytes, b[k]!.bytes) === 0)).toBe(true)
  })

  it('has one image per item and variant, and a single no-code photo expecting nothing', () => {
    expect(set.map((i) => `${i.name}/${i.variant}`)).toEqual([
      'boleto/clean-png', 'boleto/photo-jpeg', 'boleto/small-png', 'pix/clean-png', 'pix/photo-jpeg', 'pix/small-png', 'no-code/no-code',
    ])
    expect(set.at(-1)!.expected).toEqual([])
    expect(set[0]!.expected).toEqual([{ format: 'ITF', text: BOLETO.text }])
  })

  it('draws a boleto barcode with narrow:wide bars of 1:3, about 13/103 as tall as it is long', () => {
    const clean = find('boleto', 'clean-png')
    const image = pixels(clean.bytes, clean.mime)
    const bars = runs(image, Math.floor(image.height / 2)).slice(1, -1)
    expect(new Set(bars)).toEqual(new Set([3, 9]))
    // 4 start modules + 22 digit pairs of 18 modules + 5 stop modules.
    expect(bars.reduce((a, b) => a + b, 0)).toBe(405 * 3)
    const barHeight = image.height - 2 * 12 * 3
    expect(barHeight / (405 * 3)).toBeCloseTo(13 / 103, 2)
  })

  it('frames photos as a phone would: 1200×1600 for a boleto, 800×800 for a QR code', () => {
    const size = (i: GeneratedImage) => { const p = pixels(i.bytes, i.mime); return [i.mime, p.width, p.height] }
    expect([find('boleto', 'photo-jpeg'), find('pix', 'photo-jpeg'), find('no-code', 'no-code')].map(size)).toEqual([
      ['image/jpeg', 1200, 1600], ['image/jpeg', 800, 800], ['image/jpeg', 1200, 1600],
    ])
  })

  it('shrinks small-png to about 2 pixels per module', () => {
    const small = find('boleto', 'small-png')
    const image = pixels(small.bytes, small.mime)
    expect(image.width).toBe(Math.round((405 + 24) * 2))
  })
})
