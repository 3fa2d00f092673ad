// Runs inside a piscina worker thread: pdf.js parses untrusted bytes, and a hostile PDF can
// take long; this thread is terminated at the caller's time limit. Under tsx this file is
// loaded through require() (see worker-entry.ts): unpdf's CommonJS build is used, no
// top-level await.
import { getDocumentProxy } from 'unpdf'
import { findTypedCodes } from '../domain/index.js'
import { installTransferToFixedLength } from './array-buffer-transfer.js'
import { failureReason, isResourceExhaustion, type PageFailure } from './page-failure.js'
import { readPageCodes, type RenderedPage } from './pdf-pages.js'
import type { DecodedCode } from './types.js'
import { loadZxing } from './zxing-reader.js'

export interface PdfTask {
  bytes: Uint8Array
  /** Pages read from the first; the rest are never parsed. */
  maxPages: number
  /** The text returned is cut here. */
  maxChars: number
  /** Largest page rendered for its barcode, and largest embedded image decoded, in pixels. */
  maxRenderPixels: number
}

/**
 * `read`: what the pages held, and the pages that threw (text or render), in the order met.
 * `unreadable`: pdf.js could not open the document at all (not a PDF, corrupt, encrypted).
 */
export type PdfResult =
  | { kind: 'read'; pages: number; text: string; codes: DecodedCode[]; rendered: RenderedPage[]; failed: PageFailure[] }
  | { kind: 'unreadable'; reason: string }

type TextLayer = { kind: 'read'; pages: number; text: string; failed: PageFailure[] } | { kind: 'unreadable'; reason: string }

installTransferToFixedLength()
// Compiled while the first PDF's text is read, as the picture reader's threads do.
void loadZxing()

/**
 * The text layer first; only when it holds no boleto or Pix code that passes its checks are
 * the pages rendered and their barcodes read (a scan, or a bank that prints the linha
 * digitável as a picture or not at all). Both within the one task the caller times.
 */
export default async function readPdf(task: PdfTask): Promise<PdfResult> {
  // pdf.js may take ownership of the buffer it is given; the second pass needs it again.
  const text = await readText(task.bytes.slice(), task)
  if (text.kind === 'unreadable') return text
  if (findTypedCodes(text.text).findings.length > 0) return { ...text, codes: [], rendered: [] }
  const pages = await readPageCodes(task.bytes, { maxPages: task.maxPages, maxPixels: task.maxRenderPixels })
  return { ...text, codes: pages.codes, rendered: pages.rendered, failed: [...text.failed, ...pages.failed] }
}

async function readText(bytes: Uint8Array, task: PdfTask): Promise<TextLayer> {
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // No fonts, no eval, no network: only the text layer is wanted.
    doc = await getDocumentProxy(bytes, { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 })
  } catch (err) {
    return { kind: 'unreadable', reason: err instanceof Error ? err.name : 'unknown error' }
  }
  try {
    const lines: string[] = []
    const failed: PageFailure[] = []
    let chars = 0
    for (let n = 1; n <= Math.min(doc.numPages, task.maxPages) && chars < task.maxChars; n++) {
      try {
        chars += await readPageText(doc, n, lines)
      } catch (err) {
        // A malformed page (pdf.js cannot load its dictionary) fails the same way every time:
        // the other pages' text, and their rendering, may still hold the code.
        if (isResourceExhaustion(err)) throw err
        failed.push({ page: n, stage: 'text', reason: failureReason(err) })
      }
    }
    return { kind: 'read', pages: doc.numPages, text: lines.join(' ').slice(0, task.maxChars), failed }
  } finally {
    await doc.destroy()
  }
}

/** Appends page `n`'s text to `lines`, one line break after the page; returns the characters added. */
async function readPageText(doc: Awaited<ReturnType<typeof getDocumentProxy>>, n: number, lines: string[]): Promise<number> {
  const page = await doc.getPage(n)
  try {
    const content = await page.getTextContent()
    let chars = 0
    for (const item of content.items) {
      if (!('str' in item)) continue
      lines.push(item.str)
      chars += item.str.length + 1
      if (item.hasEOL) lines.push('\n')
    }
    lines.push('\n')
    return chars
  } finally {
    page.cleanup()
  }
}
