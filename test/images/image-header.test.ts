import jpeg from 'jpeg-js'
import pngjs from 'pngjs'
import { describe, expect, it } from 'vitest'
import { readImageHeader } from '../../src/images/index.js'
import { jpegHeaderOnly, pngHeaderOnly } from './slow-image.js'

describe('image header', () => {
  it('reads the size of a PNG and of a JPEG without decoding them', () => {
    const raster = { width: 120, height: 90, data: new Uint8Array(120 * 90 * 4).fill(200) }
    const png = Object.assign(new pngjs.PNG({ width: 120, height: 90 }), { data: Buffer.from(raster.data) })
    expect(readImageHeader(pngjs.PNG.sync.write(png))).toEqual({ mime: 'image/png', width: 120, height: 90 })
    expect(readImageHeader(jpeg.encode(raster, 70).data)).toEqual({ mime: 'image/jpeg', width: 120, height: 90 })
    expect(readImageHeader(pngHeaderOnly(70_000, 3))).toEqual({ mime: 'image/png', width: 70_000, height: 3 })
  })

  it('finds the frame header after other JPEG segments', () => {
    expect(readImageHeader(jpegHeaderOnly(640, 480))).toEqual({ mime: 'image/jpeg', width: 640, height: 480 })
  })

  it('answers undefined for other formats, cut-off headers and zero sizes', () => {
    expect(readImageHeader(new TextEncoder().encode('GIF89a……'))).toBeUndefined()
    expect(readImageHeader(new Uint8Array(0))).toBeUndefined()
    expect(readImageHeader(pngHeaderOnly(10, 10).subarray(0, 20))).toBeUndefined()
    expect(readImageHeader(jpegHeaderOnly(640, 480).subarray(0, 24))).toBeUndefined()
    expect(readImageHeader(pngHeaderOnly(0, 10))).toBeUndefined()
    expect(readImageHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBeUndefined()
  })
})
