import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBankBoleto } from '../../src/domain/index.js'
import { boletoBarcodePage, buildPdf } from '../helpers/pdf.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BLOCK_NETWORK = fileURLToPath(new URL('./fixtures/block-network.mjs', import.meta.url))
const SCRIPT = fileURLToPath(new URL('./fixtures/read-pdf.ts', import.meta.url))

// As `npm start` runs it (tsx's CLI): the worker thread loads pdf.js, the native canvas and
// zxing's wasm from disk with the network blocked, and close() leaves nothing (the canvas
// addon included) holding the process open.
describe('PDF reader in a process of its own', () => {
  const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
  let dir: string
  let file: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atende-pdf-'))
    file = join(dir, 'boleto.pdf')
    writeFileSync(file, buildPdf([await boletoBarcodePage(boleto.barcode)]))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('renders and reads a barcode offline under the tsx CLI, and exits once closed', async () => {
    const { stdout, stderr } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['--import', BLOCK_NETWORK, SCRIPT, file], { cwd: ROOT, timeout: 60_000 })
    expect(JSON.parse(stdout)).toEqual([{ format: 'ITF', text: boleto.barcode }])
    expect(stderr.match(/network blocked in a worker thread/g)).toHaveLength(1)
  })
})
