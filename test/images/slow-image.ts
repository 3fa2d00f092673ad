import { crc32, deflateSync } from 'node:zlib'

/**
 * A greyscale PNG of `size`×`size` pixels of thin vertical bars: some kilobytes that keep
 * zxing scanning line after line for a linear code (about a second at 4000² here, against
 * ~20 ms for a clean QR code). Written by hand: an RGBA raster of this size for pngjs
 * would cost more than the decode.
 */
export function slowBarsPng(size: number): Uint8Array {
  const row = new Uint8Array(size + 1)
  for (let x = 0; x < size; x++) row[x + 1] = (x * 7) % 11 < 4 ? 0 : 255
  const raw = new Uint8Array((size + 1) * size)
  for (let y = 0; y < size; y++) raw.set(row, y * (size + 1))
  return Buffer.concat([pngHeaderOnly(size, size), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** Only a PNG's signature and IHDR: a header that promises `width`×`height` pixels and no data. */
export function pngHeaderOnly(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)])
}

/** A JPEG's start, an APP0 segment and a baseline frame header for `width`×`height`, no scan. */
export function jpegHeaderOnly(width: number, height: number): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]
  const sof0 = [0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof0])
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}
