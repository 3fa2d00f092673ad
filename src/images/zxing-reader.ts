// zxing's reader as the worker threads use it: the picture reader on encoded PNG/JPEG bytes,
// the PDF reader on rendered pages. One set of options, so a page of a PDF is searched as
// thoroughly as a photo. Imported only inside worker threads.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader'
import { CODE_FORMATS, type DecodedCode } from './types.js'

/** The codes found, or why the bytes could not be decoded as an image at all. */
export type DecodeResult = { codes: DecodedCode[] } | { unreadable: string }

/** RGBA pixels, 4 bytes per pixel, row-major: what a canvas's `getImageData` returns. */
export interface Pixels {
  data: Uint8ClampedArray
  width: number
  height: number
}

const READER_OPTIONS: ReaderOptions = {
  formats: [...CODE_FORMATS],
  // Photos of paper: slow but thorough search, any orientation, light-on-dark prints, and
  // downscaled passes for large photos where a QR's modules are many pixels wide.
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 8,
}

let ready: Promise<unknown> | undefined

/**
 * zxing-wasm's default `locateFile` points at a CDN, and in Node it would fetch the binary
 * with `WebAssembly.instantiateStreaming`. Handing it the package's own `.wasm` as
 * `wasmBinary` keeps decoding offline. Compiled once per thread; a worker calls this when
 * it loads, so the first image does not pay for compiling the module.
 */
export function loadZxing(): Promise<unknown> {
  ready ??= (() => {
    const file = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
    const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)
    const loading = prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true })
    // A failed load is reported by every readCodes() that awaits it; without this it would
    // also be an unhandled rejection that kills the thread before any task can say why.
    loading.catch(() => {})
    return loading
  })()
  return ready
}

/** Every valid QR / ITF / Code128 symbol in encoded image bytes (PNG, JPEG) or in RGBA pixels. */
export async function readCodes(image: Uint8Array | Pixels): Promise<DecodeResult> {
  await loadZxing()
  // zxing tells pixels from encoded bytes by their `width`, and turns RGBA into luminance
  // before copying it into its heap (a quarter of the pixels' bytes).
  const results = await readBarcodes(image, READER_OPTIONS)
  // zxing reports a file stb_image cannot load as one result carrying an error and no
  // format (its typings do not admit the empty format), not as a throw.
  const failed = results.find((r) => !r.isValid && (r.format as string) === '' && r.error !== '')
  if (failed !== undefined) return { unreadable: failed.error }
  return { codes: results.filter((r) => r.isValid).map((r) => ({ format: r.format, text: r.text })) }
}
