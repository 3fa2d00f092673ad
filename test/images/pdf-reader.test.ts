import { afterAll, describe, expect, it } from 'vitest'
import { buildBankBoleto } from '../../src/domain/index.js'
import { PdfReadTimeoutError, PdfUnreadableError } from '../../src/errors.js'
import { createPdfReader, type PdfReader } from '../../src/images/index.js'
import { buildPdf } from '../helpers/pdf.js'

const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })

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

  it('reads the text layer of a boleto PDF in a worker thread', async () => {
    const text = await reader().readText(buildPdf([['Banco Itau - Boleto', `Linha digitavel: ${boleto.line}`, 'Valor: R$ 1.234,56']]))
    expect(text).toContain(boleto.line)
  })

  it('reads no page past PDF_MAX_PAGES', async () => {
    const text = await reader({ maxPages: 1 }).readText(buildPdf([['capa'], [`Linha digitavel: ${boleto.line}`]]))
    expect(text).toContain('capa')
    expect(text).not.toContain(boleto.line)
  })

  it('refuses bytes that are no PDF, and a PDF over DOCUMENT_MAX_BYTES', async () => {
    await expect(reader().readText(Buffer.from('not a pdf at all'))).rejects.toBeInstanceOf(PdfUnreadableError)
    await expect(reader({ maxBytes: 100 }).readText(buildPdf([['x']]))).rejects.toBeInstanceOf(PdfUnreadableError)
  })

  it('gives up at PDF_TIMEOUT_MS, terminating the thread', async () => {
    await expect(reader({ timeoutMs: 1 }).readText(buildPdf([['x']]))).rejects.toBeInstanceOf(PdfReadTimeoutError)
  })
})
