// Runs inside a piscina worker thread: zxing's C++ decoder takes ~50–150 ms on a phone
// photo and about a second on 16 MP, time the main thread's event loop must not lose
// (DESIGN.md). Under tsx this file is loaded through require(): no top-level await here
// (see worker-entry.ts).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader'
import { CODE_FORMATS, type DecodedCode } from './types.js'

export interface DecodeTask {
  bytes: Uint8Array
  /** Sent back as {@link TaskStarted} when decoding begins. */
  taskId: number
}

/** Posted on the thread's parent port (piscina emits it as the pool's `message`). */
export interface TaskStarted {
  codeReaderTaskStarted: number
}

/** The codes found, or why the bytes could not be decoded as an image at all. */
export type DecodeResult = { codes: DecodedCode[] } | { unreadable: string }

const READER_OPTIONS: ReaderOptions = {
  formats: [...CODE_FORMATS],
  // Photos of paper: slow but thorough search, any orientation, light-on-dark prints, and
  // downscaled passes for large photos where a QR's modules are many pixels wide.
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 8,
}

/**
 * zxing-wasm's default `locateFile` points at a CDN, and in Node it would fetch the binary
 * with `WebAssembly.instantiateStreaming`. Handing it the package's own `.wasm` as
 * `wasmBinary` keeps decoding offline. Started when the thread loads (piscina imports this
 * module at thread start), so the first image does not pay for compiling the module.
 */
function loadZxing(): Promise<unknown> {
  const file = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
  const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)
  return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true })
}

const ready = loadZxing()
// A failed load is reported by every decode() that awaits `ready`; without this it would
// also be an unhandled rejection that kills the thread before any task can say why.
ready.catch(() => {})

export default async function decode(task: DecodeTask): Promise<DecodeResult> {
  await ready
  // The caller's timeout starts now: neither the queue nor a new thread's start-up counts.
  parentPort?.postMessage({ codeReaderTaskStarted: task.taskId } satisfies TaskStarted)
  const results = await readBarcodes(task.bytes, READER_OPTIONS)
  // zxing reports a file stb_image cannot load as one result carrying an error and no
  // format (its typings do not admit the empty format), not as a throw.
  const failed = results.find((r) => !r.isValid && (r.format as string) === '' && r.error !== '')
  if (failed !== undefined) return { unreadable: failed.error }
  return { codes: results.filter((r) => r.isValid).map((r) => ({ format: r.format, text: r.text })) }
}
