import { deflateSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { renderModules } from '../../bench/images/symbols.js'
import { generateImageSet } from '../../bench/images/generate.js'
import { buildBankBoleto, buildPixCode } from '../../src/domain/index.js'
import { PdfPageError, PdfReadTimeoutError, PdfUnreadableError } from '../../src/errors.js'
import { createPdfReader, type PdfReader } from '../../src/images/index.js'
import { boletoBarcodePage, buildPdf, scannedPage, type PdfPage } from '../helpers/pdf.js'

const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
const pix = buildPixCode({ key: 'financeiro@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 5_000 })

/**
 * Operators that make the canvas throw while pdf.js renders the page: a stroke with a negative
 * dash, which Skia refuses ("Make line dash path effect failed") where a browser's canvas
 * would ignore the dash. The text layer does not see them.
 */
const UNRENDERABLE = '[-1 -3] 0 d 40 400 m 500 400 l S'

/** `pdf` (of fewer than 9 objects) with its page tree's first kid pointing at an object it does not hold: pdf.js cannot load that page. */
function withMissingFirstPage(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1')
  // As many nines as the kid's number has digits: the xref's offsets stay right.
  const broken = text.replace(/(\/Kids \[)(\d+)( 0 R)/, (_, head: string, kid: string, tail: string) => `${head}${'9'.repeat(kid.length)}${tail}`)
  if (broken === text) throw new Error('expected a page tree with a kid')
  return Buffer.from(broken, 'latin1')
}

/** A QR code of `text` filling a `side` × `side` greyscale image (one byte a pixel), with its quiet zone. */
async function qrSamples(text: string, side: number): Promise<Buffer> {
  const modules = await renderModules('QRCode', text)
  const samples = Buffer.alloc(side * side, 255)
  const modulePx = Math.floor(side / (modules.width + 8))
  const margin = Math.floor((side - modules.width * modulePx) / 2)
  for (let y = 0; y < modules.width * modulePx; y++) {
    for (let x = 0; x < modules.width * modulePx; x++) {
      if (modules.data[Math.floor(y / modulePx) * modules.width + Math.floor(x / modulePx)]! < 128) samples[(margin + y) * side + margin + x] = 0
    }
  }
  return samples
}

describe('PDF reader', () => {
  const readers: PdfReader[] = []
  const reader = (options: Partial<Parameters<typeof createPdfReader>[0]> = {}) => {
    const r = createPdfReader({ maxBytes: 1024 * 1024, maxPages: 2, timeoutMs: 20_000, ...options })
    readers.push(r)
    return r
  }
  afterAll(async () => {
    for (const r of readers) await r.close()
  })

  it('reads the text layer of a boleto PDF in a worker thread, and renders nothing then', async () => {
    const read = await reader().read(buildPdf([['Banco Itau - Boleto', `Linha digitavel: ${boleto.line}`, 'Valor: R$ 1.234,56']]))
    expect(read.text).toContain(boleto.line)
    expect(read).toMatchObject({ codes: [], rendered: [] })
  })

  it('reads no page past PDF_MAX_PAGES', async () => {
    const read = await reader({ maxPages: 1 }).read(buildPdf([['capa'], [`Linha digitavel: ${boleto.line}`]]))
    expect(read.text).toContain('capa')
    expect(read.text).not.toContain(boleto.line)
    expect(read.rendered.map((p) => p.page)).toEqual([1])
  })

  it('reads a barcode drawn as vector bars when the text has no linha digitável', async () => {
    const read = await reader().read(buildPdf([await boletoBarcodePage(boleto.barcode)]))
    expect(read.text).not.toContain(boleto.barcode)
    expect(read.codes).toEqual([{ format: 'ITF', text: boleto.barcode }])
    // 216 dpi: an A4 page of 595 × 842 pt.
    expect(read.rendered).toEqual([{ page: 1, width: 1785, height: 2526 }])
  })

  it('reads the codes of a scanned PDF (photos of a boleto and of a Pix QR code, no text layer)', async () => {
    const [boletoPhoto, pixPhoto] = await generateImageSet([
      { name: 'boleto', format: 'ITF', text: boleto.barcode },
      { name: 'pix', format: 'QRCode', text: pix },
    ], ['photo-jpeg'])
    const read = await reader().read(buildPdf([scannedPage(boletoPhoto!.bytes), scannedPage(pixPhoto!.bytes)]))
    expect(read.text.trim()).toBe('')
    expect(read.codes).toEqual([{ format: 'ITF', text: boleto.barcode }, { format: 'QRCode', text: pix }])
  })

  it('renders a hostile page size within the pixel cap and the time limit', async () => {
    const huge = await boletoBarcodePage(boleto.barcode, { width: 100_000, height: 100_000 })
    const read = await reader({ timeoutMs: 15_000 }).read(buildPdf([huge]))
    // sqrt(16 MP) = 4096 px for 100 000 pt: the bars, 292 pt long, shrink to 12 px and are unreadable.
    expect(read.rendered).toEqual([{ page: 1, width: 4096, height: 4096 }])
    expect(read.codes).toEqual([])
  })

  it('decodes no embedded image over the pixel cap (the same QR code is read when it is under)', async () => {
    const page = async (side: number): Promise<PdfPage> => ({
      image: { bytes: deflateSync(await qrSamples(pix, side)), filter: 'FlateDecode', colorSpace: 'DeviceGray', width: side, height: side, at: { x: 20, y: 143, width: 555, height: 555 } },
    })
    const r = reader()
    expect((await r.read(buildPdf([await page(2_000)]))).codes).toEqual([{ format: 'QRCode', text: pix }])
    // 6000² = 36 MP: pdf.js would hold it as RGBA, 144 MB, before painting it.
    expect((await r.read(buildPdf([await page(6_000)]))).codes).toEqual([])
  })

  it('keeps the render within a smaller pixel cap, and its thread serves the next PDF', async () => {
    const r = reader({ maxRenderPixels: 1_000_000 })
    const read = await r.read(buildPdf([await boletoBarcodePage(boleto.barcode)]))
    expect(read.rendered[0]!.width * read.rendered[0]!.height).toBeLessThanOrEqual(1_000_000)
    expect((await r.read(buildPdf([['x']]))).text).toContain('x')
  })

  it('reads the barcode of the next page when one page fails to render, and reports that page', async () => {
    const read = await reader().read(buildPdf([{ lines: ['Capa do carne'], drawing: UNRENDERABLE }, await boletoBarcodePage(boleto.barcode)]))
    expect(read.codes).toEqual([{ format: 'ITF', text: boleto.barcode }])
    expect(read.rendered.map((p) => p.page)).toEqual([2])
    expect(read.failedPages).toHaveLength(1)
    expect(read.failedPages[0]).toBeInstanceOf(PdfPageError)
    expect(read.failedPages[0]).toMatchObject({ code: 'ATD_PDF_PAGE_FAILED', page: 1, stage: 'render', retryable: false })
    expect(read.failedPages[0]!.reason).toBe('Error [InvalidArg]: Make line dash path effect failed')
  })

  it('keeps the text layer of a PDF whose only page fails to render', async () => {
    const read = await reader().read(buildPdf([{ lines: ['Contrato de prestacao de servicos'], drawing: UNRENDERABLE }]))
    expect(read.text).toContain('Contrato de prestacao de servicos')
    expect(read).toMatchObject({ codes: [], rendered: [], failedPages: [{ page: 1, stage: 'render' }] })
  })

  it('reports a page pdf.js cannot load, as text and as a render, instead of failing the PDF', async () => {
    const read = await reader().read(withMissingFirstPage(buildPdf([['Capa do carne']])))
    expect(read.failedPages.map((e) => ({ page: e.page, stage: e.stage, reason: e.reason }))).toEqual([
      { page: 1, stage: 'text', reason: 'UnknownErrorException: Page dictionary kid reference points to wrong type of object.' },
      { page: 1, stage: 'render', reason: 'UnknownErrorException: Page dictionary kid reference points to wrong type of object.' },
    ])
    expect(read.codes).toEqual([])
  })

  it('refuses bytes that are no PDF, and a PDF over DOCUMENT_MAX_BYTES', async () => {
    await expect(reader().read(Buffer.from('not a pdf at all'))).rejects.toBeInstanceOf(PdfUnreadableError)
    await expect(reader({ maxBytes: 100 }).read(buildPdf([['x']]))).rejects.toBeInstanceOf(PdfUnreadableError)
  })

  it('gives up at PDF_TIMEOUT_MS, terminating the thread', async () => {
    await expect(reader({ timeoutMs: 1 }).read(buildPdf([['x']]))).rejects.toBeInstanceOf(PdfReadTimeoutError)
  })
})
