import { Piscina } from 'piscina'
import { PdfPageError, PdfReadTimeoutError, PdfReaderError, PdfUnreadableError } from '../errors.js'
import type { RenderedPage } from './pdf-pages.js'
import type { PdfResult, PdfTask } from './pdf-reader.worker.js'
import type { DecodedCode } from './types.js'
import { workerEntry } from './worker-entry.js'

export interface PdfReaderOptions {
  /** Largest PDF accepted, in bytes (DOCUMENT_MAX_BYTES); the download stops there. */
  maxBytes: number
  /** Pages read, from the first (PDF_MAX_PAGES). A boleto is on page 1 or 2. */
  maxPages: number
  /** Longest one PDF may take, text and rendering together (PDF_TIMEOUT_MS); then its thread is terminated and replaced. */
  timeoutMs: number
  /**
   * Most pixels a page is rendered to for its barcode, and most pixels of an embedded image
   * pdf.js decodes; a larger page is rendered smaller, a larger image skipped. The picture
   * reader's bound, which also covers a 300 dpi A4 scan. @defaultValue 16_777_216 (16 MP)
   */
  maxRenderPixels?: number
}

/** What a PDF's first pages hold. */
export interface PdfReading {
  /** The text layer; '' for a scanned PDF. */
  text: string
  /**
   * Symbols read from the rendered pages, as the picture reader reports them. The pages are
   * rendered only when the text holds no boleto or Pix code that passes its checks: `[]`
   * then, and `rendered` too.
   */
  codes: DecodedCode[]
  /** The pages rendered, with their size in pixels. */
  rendered: RenderedPage[]
  /**
   * Pages whose text layer or rendering threw, in the order met: the other pages were still
   * read, and `text`, `codes` and `rendered` hold what they gave.
   */
  failedPages: PdfPageError[]
}

export interface PdfReader {
  readonly maxBytes: number
  /**
   * Reads the text layer, then the barcodes if the text held no valid code. A page that
   * throws is reported in `failedPages`, not thrown. Rejects with `PdfUnreadableError` for
   * bytes that are no readable PDF, `PdfReadTimeoutError` past `timeoutMs`, `PdfReaderError`
   * (retryable) when the thread fails, and the signal's reason when aborted.
   */
  read(pdf: Uint8Array, signal?: AbortSignal): Promise<PdfReading>
  close(): Promise<void>
}

/** More than any boleto's text; bounds what the worker sends back and what is searched. */
const MAX_TEXT_CHARS = 64_000

/** Most pixels of one rendered page or embedded image, as the picture reader's `maxPixels`. */
const DEFAULT_MAX_RENDER_PIXELS = 16 * 1024 * 1024

/**
 * Reads customer PDFs with pdf.js (unpdf's build, no network) in one worker thread started
 * with the first PDF: the text layer, then, when it holds no valid code, the first pages
 * rendered on a native canvas and searched for barcodes (decisions 0022, 0032).
 */
export function createPdfReader(options: PdfReaderOptions): PdfReader {
  const maxRenderPixels = options.maxRenderPixels ?? DEFAULT_MAX_RENDER_PIXELS
  let pool: Piscina<PdfTask, PdfResult> | undefined
  let closing: Promise<void> | undefined
  const started = () => (pool ??= new Piscina<PdfTask, PdfResult>({ ...workerEntry('pdf-reader.worker'), minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 1 }))

  async function run(task: PdfTask, signal: AbortSignal | undefined): Promise<PdfResult> {
    const stop = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      stop.abort()
    }, options.timeoutMs)
    const onCallerAbort = () => stop.abort(signal?.reason)
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    try {
      return await started().run(task, { signal: stop.signal, transferList: [task.bytes.buffer as ArrayBuffer] })
    } catch (err) {
      // piscina terminates the thread of an aborted task and starts another.
      if (signal?.aborted) throw signal.reason
      if (timedOut) throw new PdfReadTimeoutError(options.timeoutMs)
      throw new PdfReaderError(closing === undefined ? 'a PDF worker thread failed' : 'the PDF reader is closed', { cause: err })
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerAbort)
    }
  }

  return {
    maxBytes: options.maxBytes,
    async read(pdf, signal) {
      if (closing !== undefined) throw new PdfReaderError('the PDF reader is closed')
      signal?.throwIfAborted()
      if (pdf.byteLength > options.maxBytes) throw new PdfUnreadableError(`PDF has ${pdf.byteLength} bytes; expected at most ${options.maxBytes}`)
      // A copy is transferred: the caller's buffer stays theirs.
      const result = await run({ bytes: new Uint8Array(pdf), maxPages: options.maxPages, maxChars: MAX_TEXT_CHARS, maxRenderPixels }, signal)
      if (result.kind === 'unreadable') throw new PdfUnreadableError(`not a readable PDF (${result.reason})`)
      return { text: result.text, codes: result.codes, rendered: result.rendered, failedPages: result.failed.map((f) => new PdfPageError(f)) }
    },
    close() {
      closing ??= pool === undefined ? Promise.resolve() : pool.destroy()
      return closing
    },
  }
}
