import type { Logger } from 'pino'
import { findingsFromCodes, findingsFromVision, findTypedCodes, type ImageAnalysis } from '../domain/index.js'
import { isAtendeError, type PdfPageError } from '../errors.js'
import { beginImageAnalysis, completeImageAnalysis, type ImageToAnalyse } from '../store/index.js'
import type { WorkerDeps } from './deps.js'
import { linkSignal } from '../lib/index.js'
import type { JobContext, Processor } from '../queues/index.js'

/**
 * `image-analysis`: reads what a customer's picture says before the turn answers it. Codes
 * first, offline (boleto barcodes, PIX QR codes, in worker threads); the vision model only
 * when no code was read and one is configured. The result is stored on the message, which
 * marks it processed: the conversation's turn waits for exactly that, then sees the findings.
 * A picture that cannot be analysed after the last attempt is recorded as `failed`, so the
 * turn still answers (invariant 5: never silence).
 */
export function createImageAnalysisProcessor(deps: WorkerDeps): Processor<'image-analysis'> {
  const now = deps.now ?? (() => new Date())
  const { images } = deps

  return async (wakeUp, ctx) => {
    const log = ctx.log.child({ messageId: wakeUp.messageId })
    const image = await beginImageAnalysis(deps.db, wakeUp.messageId, now())
    if (image === undefined) {
      log.warn('image-analysis woke for a message that is no inbound image')
      return
    }
    if (image.done) return
    let analysis: ImageAnalysis
    let transcript: string | undefined
    try {
      if (image.type === 'audio') [analysis, transcript] = await transcribe(image, ctx)
      else if (image.type === 'document') analysis = await readPdf(image, ctx, log)
      else analysis = await analyse(image, ctx, log)
    } catch (err) {
      const retryable = !isAtendeError(err) || err.retryable
      // Shutdown or the job's time up is no verdict on the picture: it is read again later.
      if (ctx.signal.aborted || (retryable && image.attempts < ctx.maxAttempts)) throw err
      log.error({ err, attempts: image.attempts }, 'image analysis failed for good; the turn answers without it')
      analysis = { outcome: 'failed', findings: [], error: isAtendeError(err) ? err.code : 'ATD_IMAGE_ANALYSIS_FAILED' }
    }
    const done = await completeImageAnalysis(deps.db, image.id, analysis, now(), transcript)
    log.info({ outcome: analysis.outcome, findings: analysis.findings.map((f) => f.kind) }, 'image analysed')
    if (done !== undefined) deps.observe?.imageAnalysed(analysis.outcome)
    if (done?.turnDueAt != null) {
      await deps.dispatcher.dispatch([{ queue: 'ai-response', conversationId: image.conversationId, runAt: done.turnDueAt }])
    }
  }

  /**
   * A PDF (a bank's boleto) is read in a worker thread: its text layer, whose codes count
   * only through the same parsers and check digits as typed ones, and, when that holds none,
   * the barcodes of its rendered pages, which count as a picture's do (decision 0032).
   */
  async function readPdf(doc: ImageToAnalyse, ctx: JobContext, log: Logger): Promise<ImageAnalysis> {
    const { pdf } = images
    if (pdf === undefined) return { outcome: 'nothing', findings: [] }
    const mediaId = doc.media?.id
    if (mediaId === undefined) return { outcome: 'failed', findings: [], error: 'ATD_IMAGE_NO_MEDIA_ID' }
    const download = linkSignal([ctx.signal], deps.sendTimeoutMs)
    const media = await deps.whatsapp.downloadMedia(mediaId, { maxBytes: pdf.maxBytes, signal: download.signal }).finally(download.release)
    const reading = await pdf.read(media.bytes, ctx.signal)
    const today = now().toISOString().slice(0, 10)
    const typed = findTypedCodes(reading.text, today, 'pdf').findings
    const findings = typed.length > 0 ? typed : findingsFromCodes(reading.codes, today)
    if (reading.rendered.length > 0) log.debug({ rendered: reading.rendered, codes: reading.codes.length }, 'PDF pages rendered for their barcodes')
    if (reading.failedPages.length > 0) logFailedPages(log, reading.failedPages, findings.length > 0)
    // A page that failed to render fails the same way next time: nothing read is answered as
    // a PDF with no code, at once, not retried (decision 0032).
    return { outcome: findings.length > 0 ? 'read' : 'nothing', findings }
  }

  /** A voice note's words become the message's text; without a transcriber nothing is downloaded. */
  async function transcribe(note: ImageToAnalyse, ctx: JobContext): Promise<[ImageAnalysis, string | undefined]> {
    const { transcriber } = images
    if (transcriber === undefined) return [{ outcome: 'nothing', findings: [] }, undefined]
    const mediaId = note.media?.id
    if (mediaId === undefined) return [{ outcome: 'failed', findings: [], error: 'ATD_IMAGE_NO_MEDIA_ID' }, undefined]
    const download = linkSignal([ctx.signal], deps.sendTimeoutMs)
    const media = await deps.whatsapp
      .downloadMedia(mediaId, { maxBytes: transcriber.maxAudioBytes, signal: download.signal })
      .finally(download.release)
    const deadline = linkSignal([ctx.signal], deps.aiTimeoutMs)
    const heard = await transcriber
      .transcribe({ audio: media.bytes, mimeType: media.mimeType ?? note.media?.mimeType ?? 'audio/ogg', language: images.language, signal: deadline.signal })
      .finally(deadline.release)
    if (heard.text === '') return [{ outcome: 'nothing', findings: [], transcription: { model: heard.model } }, undefined]
    return [{ outcome: 'transcribed', findings: [], transcription: { model: heard.model } }, heard.text]
  }

  async function analyse(image: ImageToAnalyse, ctx: JobContext, log: Logger): Promise<ImageAnalysis> {
    const mediaId = image.media?.id
    if (mediaId === undefined) return { outcome: 'failed', findings: [], error: 'ATD_IMAGE_NO_MEDIA_ID' }
    const download = linkSignal([ctx.signal], deps.sendTimeoutMs)
    // The reader's own cap (IMAGE_MAX_BYTES): a larger picture is refused while it downloads,
    // not after it has been read into memory whole.
    const media = await deps.whatsapp
      .downloadMedia(mediaId, { maxBytes: images.reader.maxImageBytes, signal: download.signal })
      .finally(download.release)
    const mimeType = media.mimeType ?? image.media?.mimeType ?? 'image/jpeg'

    // The day it was received places a boleto's due-date factor in the right cycle.
    const today = now().toISOString().slice(0, 10)
    const codes = findingsFromCodes(await images.reader.read(media.bytes, ctx.signal), today)
    if (codes.some((f) => f.kind !== 'code')) return { outcome: 'read', findings: codes }
    if (images.describer === undefined) return { outcome: codes.length > 0 ? 'read' : 'nothing', findings: codes }

    log.debug({ bytes: media.bytes.length }, 'no payment code read; asking the vision model')
    const deadline = linkSignal([ctx.signal], deps.aiTimeoutMs)
    const described = await images.describer.describe({
      image: media.bytes,
      mimeType,
      caption: image.media?.caption,
      language: images.language,
      signal: deadline.signal,
    }).finally(deadline.release)
    return {
      outcome: 'described',
      findings: [...codes, ...findingsFromVision(described.extracted, today)],
      description: { text: described.text, kind: described.kind, model: described.model },
    }
  }
}

/** Pages listed in a log line: PDF_MAX_PAGES may be 50, each failing as text and as a render. */
const MAX_LOGGED_PAGE_FAILURES = 5

/**
 * Which pages of a PDF failed and why (each reason bounded, never the document's text). A
 * warning when they left the customer without an answer from the PDF; debug when other pages
 * or the text held a code anyway.
 */
function logFailedPages(log: Logger, failed: readonly PdfPageError[], read: boolean): void {
  const fields = {
    failedPages: failed.slice(0, MAX_LOGGED_PAGE_FAILURES).map((e) => ({ page: e.page, stage: e.stage, code: e.code, reason: e.reason })),
    failedPageCount: failed.length,
  }
  if (read) log.debug(fields, 'PDF pages failed; the code was read from the others')
  else log.warn(fields, 'PDF pages failed and no code was read; answered as a PDF without one')
}
