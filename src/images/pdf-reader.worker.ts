// Runs inside a piscina worker thread: pdf.js parses untrusted bytes, and a hostile PDF can
// take long; this thread is terminated at the caller's time limit. Under tsx this file is
// loaded through require() (see worker-entry.ts): unpdf's CommonJS build is used, no
// top-level await.
import { getDocumentProxy } from 'unpdf'
import { findTypedCodes } from '../domain/index.js'
import { installTransferToFixedLength } from './array-buffer-transfer.js'
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

export type PdfResult = { pages: number; text: string; codes: DecodedCode[]; rendered: RenderedPage[] } | { unreadable: string }

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
  if ('unreadable' in text) return text
  if (findTypedCodes(text.text).findings.length > 0) return { ...text, codes: [], rendered: [] }
  const { codes, rendered } = await readPageCodes(task.bytes, { maxPages: task.maxPages, maxPixels: task.maxRenderPixels })
  return { ...text, codes, rendered }
}

async function readText(bytes: Uint8Array, task: PdfTask): Promise<{ pages: number; text: string } | { unreadable: string }> {
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // No fonts, no eval, no network: only the text layer is wanted.
    doc = await getDocumentProxy(bytes, { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 })
  } catch (err) {
    return { unreadable: err instanceof Error ? err.name : 'unknown error' }
  }
  try {
    const lines: string[] = []
    let chars = 0
    for (let n = 1; n <= Math.min(doc.numPages, task.maxPages) && chars < task.maxChars; n++) {
      const page = await doc.getPage(n)
      const content = await page.getTextContent()
      for (const item of content.items) {
        if (!('str' in item)) continue
        lines.push(item.str)
        chars += item.str.length + 1
        if (item.hasEOL) lines.push('\n')
      }
      lines.push('\n')
      page.cleanup()
    }
    return { pages: doc.numPages, text: lines.join(' ').slice(0, task.maxChars) }
  } finally {
    await doc.destroy()
  }
}
