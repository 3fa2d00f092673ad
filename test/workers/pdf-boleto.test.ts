import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_FINDING_TEXTS } from '../../src/ai/index.js'
import { buildBankBoleto } from '../../src/domain/index.js'
import { createPdfReader } from '../../src/images/index.js'
import { loggerOptions } from '../../src/log/index.js'
import type { JobContext } from '../../src/queues/index.js'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { boletoBarcodePage, buildPdf } from '../helpers/pdf.js'
import { sentText, useWorkerSuite, type Harness } from './harness.js'

const boleto = buildBankBoleto({ bankCode: '237', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
/** A stroke with a negative dash: Skia refuses it, so rendering the page throws (see test/images/pdf-reader.test.ts). */
const UNRENDERABLE = '[-1 -3] 0 d 40 400 m 500 400 l S'
const pdfReader = createPdfReader({ maxBytes: 1024 * 1024, maxPages: 2, timeoutMs: 20_000 })

afterAll(async () => {
  await pdfReader.close()
})

describe.each(ENGINES)('PDF boletos (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  /** The document arrives, is analysed, and its turn runs; the text sent back. */
  async function answered(h: Harness, doc: { bytes: Buffer; mimeType: string }, ctx?: Partial<JobContext>): Promise<{ reply: string; messageId: number }> {
    h.deps.images.pdf = pdfReader
    const accepted = await h.receiveDocument(doc)
    await h.process([accepted])
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'image-analysis')).toEqual([{ queue: 'image-analysis', messageId: accepted.messageId }])
    h.clock.advance(60_000)
    expect(await h.turn(accepted.conversationId)).toMatchObject({ reason: 'messages still processing' })
    await h.analyse(accepted.messageId, ctx)
    expect(await h.turn(accepted.conversationId)).toBeUndefined()
    return { reply: sentText(h.sends()[0]!), messageId: accepted.messageId }
  }

  it('holds the turn for a PDF boleto and answers with its amount and due date', async () => {
    const h = await suite.harness()
    const pdf = buildPdf([['Bradesco - Boleto de pagamento', `Linha digitavel: ${boleto.line}`, 'Vencimento 10/12/2026']])
    const { reply, messageId } = await answered(h, { bytes: pdf, mimeType: 'application/pdf' })
    expect(reply).toContain('Valor: R$ 1.234,56')
    expect(reply).toContain('Vencimento: 10/12/2026')
    expect(reply).toContain('Bradesco')
    const [row] = await queryRows<{ analysis: unknown }>(suite.database.db, sql`select analysis from messages where id = ${messageId}`)
    expect(row?.analysis).toMatchObject({ outcome: 'read', findings: [{ kind: 'boleto', source: 'pdf', boleto: { amountCents: 123_456 } }] })
  })

  it('reads the barcode of a PDF whose text has no boleto line, as a picture\'s', async () => {
    const h = await suite.harness()
    const pdf = buildPdf([await boletoBarcodePage(boleto.barcode)])
    const { reply, messageId } = await answered(h, { bytes: pdf, mimeType: 'application/pdf' })
    expect(reply).toContain('Valor: R$ 1.234,56')
    expect(reply).toContain('Vencimento: 10/12/2026')
    const [row] = await queryRows<{ analysis: unknown }>(suite.database.db, sql`select analysis from messages where id = ${messageId}`)
    expect(row?.analysis).toMatchObject({ outcome: 'read', findings: [{ kind: 'boleto', source: 'barcode', boleto: { amountCents: 123_456, dueDate: '2026-12-10' } }] })
  })

  it('says so when the PDF holds no boleto line', async () => {
    const h = await suite.harness()
    const { reply } = await answered(h, { bytes: buildPdf([['Contrato de prestacao de servicos']]), mimeType: 'application/pdf' })
    expect(reply).toBe(DEFAULT_FINDING_TEXTS['pt-BR'].unreadableDocument)
  })

  it('records a broken PDF as failed and still answers', async () => {
    const h = await suite.harness()
    const { reply, messageId } = await answered(h, { bytes: Buffer.from('%PDF-1.4 truncated'), mimeType: 'application/pdf' })
    expect(reply).toBe(DEFAULT_FINDING_TEXTS['pt-BR'].unreadableDocument)
    const [row] = await queryRows<{ analysis: unknown }>(suite.database.db, sql`select analysis from messages where id = ${messageId}`)
    expect(row?.analysis).toMatchObject({ outcome: 'failed', error: 'ATD_PDF_UNREADABLE' })
  })

  it('reads the barcode on a page after one that fails to render', async () => {
    const h = await suite.harness()
    const pdf = buildPdf([{ lines: ['Carne de pagamento'], drawing: UNRENDERABLE }, await boletoBarcodePage(boleto.barcode)])
    const { reply, messageId } = await answered(h, { bytes: pdf, mimeType: 'application/pdf' })
    expect(reply).toContain('Valor: R$ 1.234,56')
    const [row] = await queryRows<{ analysis: unknown }>(suite.database.db, sql`select analysis from messages where id = ${messageId}`)
    expect(row?.analysis).toMatchObject({ outcome: 'read', findings: [{ kind: 'boleto', source: 'barcode' }] })
  })

  it('answers a PDF whose pages only fail to render at the first attempt, as one without a code, with a warning', async () => {
    const h = await suite.harness()
    const lines: Array<Record<string, unknown>> = []
    const log = pino(loggerOptions('debug'), { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
    const pdf = buildPdf([{ lines: ['Contrato de prestacao de servicos'], drawing: UNRENDERABLE }])
    // The first of four attempts resolves: the same bytes would fail the same way again.
    const { reply, messageId } = await answered(h, { bytes: pdf, mimeType: 'application/pdf' }, { attempt: 1, maxAttempts: 4, log })
    expect(reply).toBe(DEFAULT_FINDING_TEXTS['pt-BR'].unreadableDocument)
    const [row] = await queryRows<{ analysis: unknown; attempts: number }>(suite.database.db, sql`select analysis, attempts from messages where id = ${messageId}`)
    expect(row).toMatchObject({ attempts: 1, analysis: { outcome: 'nothing', findings: [] } })
    const warnings = lines.filter((l) => l.level === 40)
    expect(warnings).toEqual([expect.objectContaining({
      msg: 'PDF pages failed and no code was read; answered as a PDF without one',
      failedPageCount: 1,
      failedPages: [{ page: 1, stage: 'render', code: 'ATD_PDF_PAGE_FAILED', reason: 'Error [InvalidArg]: Make line dash path effect failed' }],
    })])
    // Neither the document's text nor the customer's number reaches the log.
    expect(JSON.stringify(lines)).not.toContain('Contrato')
    expect(JSON.stringify(lines)).not.toContain(h.customer)
  })

  it('does not hold the turn for a document that is no PDF', async () => {
    const h = await suite.harness()
    const accepted = await h.receiveDocument({ bytes: Buffer.from('a,b\n1,2'), mimeType: 'text/csv', filename: 'planilha.csv' })
    await h.process([accepted])
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'image-analysis')).toEqual([])
  })
})
