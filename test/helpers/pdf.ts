import { renderModules } from '../../bench/images/symbols.js'
import { readImageHeader } from '../../src/images/index.js'

/** One page of {@link buildPdf}. */
export interface PdfPage {
  /** Lines of text in Helvetica from the top, as a bank's boleto PDF carries its linha digitável. */
  lines?: string[]
  /** Content-stream operators painted after the text, such as a barcode's bars (see {@link barsOf}). */
  drawing?: string
  /**
   * An image of `width` × `height` pixels painted at `at` (points, from the bottom left), as a
   * scanner writes a page: `bytes` are a JPEG (DCTDecode) or zlib-deflated samples
   * (FlateDecode), 8 bits per component.
   */
  image?: PdfImage
  /** Page size in points. @defaultValue A4, 595 × 842 */
  size?: { width: number; height: number }
}

export interface PdfImage {
  bytes: Uint8Array
  filter: 'DCTDecode' | 'FlateDecode'
  colorSpace: 'DeviceRGB' | 'DeviceGray'
  width: number
  height: number
  at: { x: number; y: number; width: number; height: number }
}

/**
 * A minimal PDF written at test time: one page per entry of `pages` (a list of text lines,
 * or a {@link PdfPage}). Plain ASCII text only (the standard font's encoding); no
 * compression but a JPEG's own, a correct xref table.
 */
export function buildPdf(pages: Array<string[] | PdfPage>): Buffer {
  const objects: string[] = []
  const add = (body: string) => objects.push(body) // object number = index + 1
  add('<< /Type /Catalog /Pages 2 0 R >>')
  add('') // pages, filled in below
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>')
  const kids: number[] = []
  for (const entry of pages) {
    const page: PdfPage = Array.isArray(entry) ? { lines: entry } : entry
    const { width, height } = page.size ?? { width: 595, height: 842 }
    const ops = (page.lines ?? []).map((l, i) => `BT /F1 11 Tf 40 ${height - 42 - 16 * i} Td (${l.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj ET`)
    let xObjects = ''
    if (page.image !== undefined) {
      const { bytes, filter, colorSpace, width: w, height: h, at } = page.image
      add(`<< /Type /XObject /Subtype /Image /Width ${w} /Height ${h} /ColorSpace /${colorSpace} /BitsPerComponent 8 /Filter /${filter} /Length ${bytes.byteLength} >>\nstream\n${Buffer.from(bytes).toString('latin1')}\nendstream`)
      xObjects = ` /XObject << /Im1 ${objects.length} 0 R >>`
      ops.push(`q ${at.width} 0 0 ${at.height} ${at.x} ${at.y} cm /Im1 Do Q`)
    }
    if (page.drawing !== undefined) ops.push(page.drawing)
    const content = ops.join('\n')
    add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`)
    const contentRef = objects.length
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Resources << /Font << /F1 3 0 R >>${xObjects} >> /Contents ${contentRef} 0 R >>`)
    kids.push(objects.length)
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/**
 * A linear symbol's modules (one row, 0 = dark) as filled rectangles, one per bar, the way a
 * bank's PDF draws a boleto's barcode: vector bars, no text under them. `x`, `y` is the
 * bottom left corner in points.
 */
export function barsOf(row: ArrayLike<number>, at: { x: number; y: number; moduleWidth: number; height: number }): string {
  const rects: string[] = []
  for (let start = 0; start < row.length;) {
    if (row[start]! >= 128) { start++; continue }
    let end = start
    while (end < row.length && row[end]! < 128) end++
    rects.push(`${(at.x + start * at.moduleWidth).toFixed(3)} ${at.y} ${((end - start) * at.moduleWidth).toFixed(3)} ${at.height} re`)
    start = end
  }
  return `0 g\n${rects.join('\n')}\nf`
}

/** A boleto barcode is printed 103 mm long and 13 mm tall (FEBRABAN's layout), in points. */
const BOLETO_BARCODE_PT = { width: (103 / 25.4) * 72, height: (13 / 25.4) * 72 }

/**
 * The page a bank's PDF boleto would be if its only code were the barcode: a few lines of
 * text, no linha digitável, and the 44 digits of `barcode` drawn as vector ITF bars at the
 * foot of the page, as printed. `size` moves the bars to the foot of a page of another size.
 */
export async function boletoBarcodePage(barcode: string, size?: PdfPage['size']): Promise<PdfPage> {
  const row = (await renderModules('ITF', barcode)).data
  const at = { x: 40, y: 60, moduleWidth: BOLETO_BARCODE_PT.width / row.length, height: BOLETO_BARCODE_PT.height }
  return { lines: ['Banco Itau', 'Recibo do pagador', 'Ficha de compensacao'], drawing: barsOf(row, at), ...(size === undefined ? {} : { size }) }
}


/**
 * A scanned page: the JPEG `photo` (a phone photo or a scan of a printed slip) filling an A4
 * page within a 20 pt margin, its aspect kept, and no text layer at all.
 */
export function scannedPage(photo: Uint8Array): PdfPage {
  const header = readImageHeader(photo)
  if (header?.mime !== 'image/jpeg') throw new Error('a scanned page takes a JPEG')
  const page = { width: 595, height: 842 }
  const fit = Math.min((page.width - 40) / header.width, (page.height - 40) / header.height)
  const width = header.width * fit
  const height = header.height * fit
  const at = { x: (page.width - width) / 2, y: (page.height - height) / 2, width, height }
  // jpeg-js writes three components.
  return { image: { bytes: photo, filter: 'DCTDecode', colorSpace: 'DeviceRGB', width: header.width, height: header.height, at } }
}
