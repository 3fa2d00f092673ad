import { Piscina } from 'piscina'
import { PdfReadTimeoutError, PdfReaderError, PdfUnreadableError } from '../errors.js'
import type { PdfResult, PdfTask } from './pdf-reader.worker.js'
import { workerEntry } from './worker-entry.js'

export interface PdfReaderOptions {
  /** Largest PDF accepted, in bytes (DOCUMENT_MAX_BYTES); the download stops there. */
  maxBytes: number
  /** Pages read, from the first (PDF_MAX_PAGES). A boleto is on page 1 or 2. */
  maxPages: number
  /** Longest one PDF may take (PDF_TIMEOUT_MS); then its thread is terminated and replaced. */
  timeoutMs: number
}

export interface PdfReader {
  readonly maxBytes: number
  /** The text layer of the first pages; '' for a scanned PDF. Rejects for bytes that are no readable PDF. */
  readText(pdf: Uint8Array, signal?: AbortSignal): Promise<string>
  close(): Promise<void>
}

/** More than any boleto's text; bounds what the worker sends back and what is searched. */
const MAX_TEXT_CHARS = 64_000

/**
 * Reads the text layer of customer PDFs with pdf.js (unpdf's build, no network, no native
 * code) in one worker thread started with the first PDF. Rendering pages to find the
 * barcode needs a native canvas, so it is not done (decision 0022).
 */
export function createPdfReader(options: PdfReaderOptions): PdfReader {
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
    async readText(pdf, signal) {
      if (closing !== undefined) throw new PdfReaderError('the PDF reader is closed')
      signal?.throwIfAborted()
      if (pdf.byteLength > options.maxBytes) throw new PdfUnreadableError(`PDF has ${pdf.byteLength} bytes; expected at most ${options.maxBytes}`)
      // A copy is transferred: the caller's buffer stays theirs.
      const result = await run({ bytes: new Uint8Array(pdf), maxPages: options.maxPages, maxChars: MAX_TEXT_CHARS }, signal)
      if ('unreadable' in result) throw new PdfUnreadableError(`not a readable PDF (${result.unreadable})`)
      return result.text
    },
    close() {
      closing ??= pool === undefined ? Promise.resolve() : pool.destroy()
      return closing
    },
  }
}
