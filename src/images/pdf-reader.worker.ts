// Runs inside a piscina worker thread: pdf.js parses untrusted bytes, and a hostile PDF can
// take long; this thread is terminated at the caller's time limit. Under tsx this file is
// loaded through require() (see worker-entry.ts): unpdf's CommonJS build is used, no
// top-level await.
import { getDocumentProxy } from 'unpdf'

export interface PdfTask {
  bytes: Uint8Array
  /** Pages read from the first; the rest are never parsed. */
  maxPages: number
  /** The text returned is cut here. */
  maxChars: number
}

export type PdfResult = { pages: number; text: string } | { unreadable: string }

export default async function readPdf(task: PdfTask): Promise<PdfResult> {
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>
  try {
    // No fonts, no eval, no network: only the text layer is wanted.
    doc = await getDocumentProxy(task.bytes, { isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 })
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
