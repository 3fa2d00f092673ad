import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer'

/** A symbol's modules: one byte per module, 0 = dark, 255 = light, no quiet zone. */
export interface Modules {
  width: number
  height: number
  data: Uint8ClampedArray
}

let ready: Promise<unknown> | undefined

/** zxing's writer from the package's own `.wasm` (its default would fetch it from a CDN). */
function loadWriter(): Promise<unknown> {
  ready ??= (() => {
    const file = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm'))
    const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true })
  })()
  return ready
}

/**
 * The module grid of a QR code (error correction M, as PIX payment apps print) or of an
 * ITF barcode. zxing's ITF writer draws narrow:wide as 1:3, the ratio boletos are printed
 * with (FEBRABAN's layout allows 1:2 to 1:3); a linear symbol comes back as one row.
 */
export async function renderModules(format: 'QRCode' | 'ITF', text: string): Promise<Modules> {
  await loadWriter()
  const result = await writeBarcode(text, { format, scale: 1, addQuietZones: false, ...(format === 'QRCode' ? { options: 'ecLevel=M' } : {}) })
  if (result.error !== '') throw new Error(`zxing could not encode ${format} '${text.slice(0, 20)}…': ${result.error}`)
  const { width, height, data } = result.symbol
  return format === 'ITF' ? { width, height: 1, data: data.slice(0, width) } : { width, height, data }
}
