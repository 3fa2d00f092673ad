/** What an image's header says, read without decoding a pixel. */
export interface ImageHeader {
  mime: 'image/png' | 'image/jpeg'
  width: number
  height: number
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/**
 * The format and dimensions of a PNG or JPEG, or `undefined` when the bytes are neither or
 * the header is cut short. zxing's decoder (stb_image) would also take GIF, BMP and others,
 * but only PNG and JPEG reach us from WhatsApp, and only for them can we bound the pixel
 * count before any decoding starts.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return readPngHeader(bytes)
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpegHeader(bytes)
  return undefined
}

function readPngHeader(bytes: Uint8Array): ImageHeader | undefined {
  // The IHDR chunk must come first: 4-byte length, "IHDR", then width and height.
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return sized('image/png', view.getUint32(16), view.getUint32(20))
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

function readJpegHeader(bytes: Uint8Array): ImageHeader | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let at = 2
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined
    const marker = bytes[at + 1]!
    // Fill bytes (FF FF …) may pad before a marker.
    if (marker === 0xff) { at += 1; continue }
    // Markers without a length: TEM and RSTn.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue }
    // End of image or start of scan before any frame header: nothing to size.
    if (marker === 0xd9 || marker === 0xda) return undefined
    const length = view.getUint16(at + 2)
    if (isStartOfFrame(marker)) {
      if (at + 9 > bytes.length) return undefined
      return sized('image/jpeg', view.getUint16(at + 7), view.getUint16(at + 5))
    }
    at += 2 + length
  }
  return undefined
}

function sized(mime: ImageHeader['mime'], width: number, height: number): ImageHeader | undefined {
  return width > 0 && height > 0 ? { mime, width, height } : undefined
}
