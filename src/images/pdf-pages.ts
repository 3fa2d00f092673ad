// Renders a PDF's first pages to pixels and reads their barcodes, inside the PDF worker
// thread (decision 0032). pdf.js draws on @napi-rs/canvas (Skia, a prebuilt binary shipped
// in a platform package of the npm registry; no install script, no network).
import { createIsomorphicCanvasFactory, getDocumentProxy } from 'unpdf'
import { failureReason, isResourceExhaustion, type PageFailure } from './page-failure.js'
import type { DecodedCode } from './types.js'
import { loadZxing, readCodes, type Pixels } from './zxing-reader.js'

/** One page as it was rendered for the barcode reader. */
export interface RenderedPage {
  /** 1-based. */
  page: number
  width: number
  height: number
}

export interface PageCodes {
  /** Every valid symbol read, page by page, in order (duplicates kept; findings drop them). */
  codes: DecodedCode[]
  rendered: RenderedPage[]
  /** Pages whose rendering or barcode search threw; the pages after them were still read. */
  failed: PageFailure[]
}

/**
 * Pixels per PDF point (1/72 in): 216 dpi. A boleto's barcode is 103 mm for 405 ITF modules
 * (narrow:wide 1:3), so its narrow bar is ~0.25 mm, 2.1 px here. Crisp vector bars were
 * still read at half this scale; the margin is for scans and blurred prints. An A4 page is
 * then 1785 × 2526 px (4.5 MP), rendered in ~0.3 s.
 */
export const RENDER_SCALE = 3

/** Longest side of a rendered page, in pixels: Skia's canvases and zxing both stay well inside it. */
const MAX_SIDE_PX = 16_384

/**
 * The scale a page of `width` × `height` points is rendered at: {@link RENDER_SCALE}, less
 * when that would exceed `maxPixels` in all or {@link MAX_SIDE_PX} on a side (a hostile
 * MediaBox of 100 000 pt is drawn small, never allocated at 216 dpi). `undefined` for a page
 * with no area, or one so thin that it would not be a pixel tall.
 */
export function renderScale(width: number, height: number, maxPixels: number): number | undefined {
  if (!(width > 0 && height > 0 && Number.isFinite(width * height))) return undefined
  const scale = Math.min(RENDER_SCALE, Math.sqrt(maxPixels / (width * height)), MAX_SIDE_PX / width, MAX_SIDE_PX / height)
  return Math.floor(width * scale) >= 1 && Math.floor(height * scale) >= 1 ? scale : undefined
}

/**
 * Renders pages 1 to `maxPages` (at most {@link renderScale}'s pixels each) and reads every
 * QR / ITF / Code128 symbol on them with the picture reader's options. `maxPixels` also
 * bounds an embedded image pdf.js agrees to decode (a scan of 100 000² pixels is skipped, not
 * allocated). The native canvas is loaded by the first call, not when the thread starts: a
 * thread whose PDFs all held their code in the text never loads it.
 *
 * A page that throws (a malformed page, a pdf.js or canvas failure) is recorded in `failed`
 * and the next page is read: the same bytes would fail the same way, and the barcode may be
 * on another page. What is not a page's fault still rejects, as a crash of the thread does:
 * the canvas or zxing that cannot load, a document pdf.js cannot open, memory exhaustion.
 */
export async function readPageCodes(bytes: Uint8Array, options: { maxPages: number; maxPixels: number }): Promise<PageCodes> {
  const CanvasFactory = await createIsomorphicCanvasFactory(() => import('@napi-rs/canvas'))
  await loadZxing()
  const doc = await getDocumentProxy(bytes, {
    isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0,
    maxImageSize: options.maxPixels, CanvasFactory,
  })
  const result: PageCodes = { codes: [], rendered: [], failed: [] }
  try {
    for (let n = 1; n <= Math.min(doc.numPages, options.maxPages); n++) {
      try {
        const read = await readPage(doc, n, { CanvasFactory, maxPixels: options.maxPixels })
        if (read === undefined) continue
        result.rendered.push(read.rendered)
        result.codes.push(...read.codes)
      } catch (err) {
        if (isResourceExhaustion(err)) throw err
        result.failed.push({ page: n, stage: 'render', reason: failureReason(err) })
      }
    }
    return result
  } finally {
    await doc.destroy()
  }
}

type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>
type CanvasFactoryClass = Awaited<ReturnType<typeof createIsomorphicCanvasFactory>>

/** Page `n` rendered and searched; `undefined` for a page with no area to render. */
async function readPage(
  doc: PdfDocument,
  n: number,
  options: { CanvasFactory: CanvasFactoryClass; maxPixels: number },
): Promise<{ rendered: RenderedPage; codes: DecodedCode[] } | undefined> {
  const page = await doc.getPage(n)
  try {
    const { width, height } = page.getViewport({ scale: 1 })
    const scale = renderScale(width, height, options.maxPixels)
    if (scale === undefined) return undefined
    const viewport = page.getViewport({ scale })
    const size = { width: Math.floor(viewport.width), height: Math.floor(viewport.height) }
    const canvases = new options.CanvasFactory()
    const drawing = canvases.create(size.width, size.height)
    let pixels: Pixels
    try {
      await page.render({ canvas: drawing.canvas, canvasContext: drawing.context, viewport, background: 'white' }).promise
      pixels = drawing.context.getImageData(0, 0, size.width, size.height)
    } finally {
      // The canvas's memory goes back before zxing takes its own copy of the pixels.
      canvases.destroy(drawing)
    }
    const read = await readCodes(pixels)
    return { rendered: { page: n, ...size }, codes: 'codes' in read ? read.codes : [] }
  } finally {
    page.cleanup()
  }
}
