import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_FINDING_TEXTS } from '../../src/ai/index.js'
import { buildBankBoleto } from '../../src/domain/index.js'
import { createPdfReader } from '../../src/images/index.js'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { boletoBarcodePage, buildPdf } from '../helpers/pdf.js'
import { sentText, useWorkerSuite, type Harness } from './harness.js'

const boleto = buildBankBoleto({ bankCode: '237', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
const pdfReader = createPdfReader({ maxBytes: 1024 * 1024, maxPages: 2, timeoutMs: 20_000 })

afterAll(async () => {
  await pdfReader.close()
})

describe.each(ENGINES)('PDF boletos (%s)', (engine) => {
  const suite = useWorkerSuite(engine)

  /** The document arrives, is analysed, and its turn runs; the text sent back. */
  async function answered(h: Harness, doc: { bytes: Buffer; mimeType: string }): Promise<{ reply: string; messageId: number }> {
    h.deps.images.pdf = pdfReader
    const accepted = await h.receiveDocument(doc)
    await h.process([accepted])
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'image-analysis')).toEqual([{ queue: 'image-analysis', messageId: accepted.messageId }])
    h.clock.advance(60_000)
    expect(await h.turn(accepted.conversationId)).toMatchObject({ reason: 'messages still processing' })
    await h.analyse(accepted.messageId)
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

  it('does not hold the turn for a document that is no PDF', async () => {
    const h = await suite.harness()
    const accepted = await h.receiveDocument({ bytes: Buffer.from('a,b\n1,2'), mimeType: 'text/csv', filename: 'planilha.csv' })
    await h.process([accepted])
    expect(h.dispatcher.wakeUps.filter((w) => w.queue === 'image-analysis')).toEqual([])
  })
})
