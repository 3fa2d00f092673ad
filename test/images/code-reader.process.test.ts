import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet, type GeneratedImage } from '../../bench/images/generate.js'
import { PAYLOADS } from './payloads.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BLOCK_NETWORK = fileURLToPath(new URL('./fixtures/block-network.mjs', import.meta.url))
const SCRIPT = fileURLToPath(new URL('./fixtures/read-image.ts', import.meta.url))

// A process of its own per case: how `npm start` (tsx's CLI) and `node --import tsx` load
// the worker file, that the wasm comes from disk with the network blocked in every thread,
// and that close() leaves nothing holding the process open.
describe('code reader in a process of its own', () => {
  let dir: string
  let image: GeneratedImage
  let file: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atende-images-'))
    image = (await generateImageSet([PAYLOADS[0]!], ['photo-jpeg']))[0]!
    file = join(dir, 'boleto.jpg')
    writeFileSync(file, image.bytes)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it.each([
    ['node --import tsx', process.execPath, ['--import', BLOCK_NETWORK, '--import', 'tsx']],
    ['the tsx CLI', join(ROOT, 'node_modules/.bin/tsx'), ['--import', BLOCK_NETWORK]],
  ])('reads offline under %s and exits once closed', async (_, command, flags) => {
    const { stdout, stderr } = await run(command, [...flags, SCRIPT, file], { cwd: ROOT, timeout: 60_000 })
    expect(JSON.parse(stdout)).toEqual(image.expected)
    // Both threads loaded the preload, so their fetch was the one that throws.
    expect(stderr.match(/network blocked in a worker thread/g)).toHaveLength(2)
  })
})
