import { Piscina } from 'piscina'
import { CodeReaderClosedError, CodeReaderError, ImageReadTimeoutError, ImageTooLargeError, ImageUnreadableError } from '../errors.js'
import type { DecodeResult, DecodeTask, TaskStarted } from './code-reader.worker.js'
import { readImageHeader } from './image-header.js'
import type { CodeReader, CodeReaderOptions, DecodedCode } from './types.js'
import { codeReaderWorkerEntry, type WorkerEntry } from './worker-entry.js'

const DEFAULTS = { threads: 1, maxImageBytes: 8 * 1024 * 1024, maxPixels: 16 * 1024 * 1024, timeoutMs: 15_000 }

/**
 * Reads QR, ITF and Code128 symbols from PNG/JPEG bytes in worker threads, so a slow
 * decode never stalls this thread's event loop. Input is bounded (bytes, then pixels per
 * the header) before any thread sees it; a decode running past `timeoutMs` costs its
 * thread, which piscina replaces. Images beyond `threads` wait in piscina's queue.
 */
export function createCodeReader(options: CodeReaderOptions = {}): CodeReader {
  return createCodeReaderOn(codeReaderWorkerEntry(), options)
}

/**
 * {@link createCodeReader} on another worker module speaking the same protocol.
 * @internal Tests run a worker whose decode never returns, to prove the timeout.
 */
export function createCodeReaderOn(entry: WorkerEntry, options: CodeReaderOptions = {}): CodeReader {
  const { threads, maxImageBytes, maxPixels, timeoutMs } = { ...DEFAULTS, ...definedOnly(options) }
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer; got ${threads}`)
  // Errors outside any task (a thread that fails to start) would otherwise be thrown by the
  // EventEmitter and crash the process; the next read reports it as its cause instead.
  let poolError: unknown
  // A task's timer starts when its thread begins decoding: waiting in the queue, or for a
  // replacement thread to compile the wasm module, is no sign of a stuck decode.
  const onStart = new Map<number, () => void>()
  let nextTaskId = 0
  let closing: Promise<void> | undefined
  // The threads start with the first image, not with the reader: a process that only ever
  // serves text keeps no idle isolate and wasm heap (~16 MB RSS per thread). Not piscina's
  // `minThreads: 0`: with it, a task queued behind a thread that timed out is never run.
  let pool: Piscina<DecodeTask, DecodeResult> | undefined
  const started = () => {
    if (pool !== undefined) return pool
    pool = new Piscina<DecodeTask, DecodeResult>({ ...entry, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1 })
    pool.on('error', (err: unknown) => { poolError = err })
    pool.on('message', (message: unknown) => {
      if (isTaskStarted(message)) onStart.get(message.codeReaderTaskStarted)?.()
    })
    return pool
  }

  function check(image: Uint8Array): void {
    if (image.byteLength > maxImageBytes) {
      throw new ImageTooLargeError(`image has ${image.byteLength} bytes; expected at most ${maxImageBytes}`, { bytes: image.byteLength, maxBytes: maxImageBytes })
    }
    const header = readImageHeader(image)
    if (header === undefined) throw new ImageUnreadableError('image is not a PNG or JPEG with a readable header')
    if (header.width * header.height > maxPixels) {
      throw new ImageTooLargeError(`image is ${header.width}×${header.height} pixels; expected at most ${maxPixels} pixels`, { bytes: image.byteLength })
    }
  }

  async function decode(image: Uint8Array, signal: AbortSignal | undefined): Promise<DecodeResult> {
    const taskId = nextTaskId++
    const stop = new AbortController()
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    onStart.set(taskId, () => { timer = setTimeout(() => { timedOut = true; stop.abort() }, timeoutMs) })
    // Not AbortSignal.any([signal, …]): on Node 20 the composite stays reachable for as long
    // as the caller's signal lives (nodejs/node#55351), and a worker's signal lives forever.
    const onCallerAbort = () => stop.abort(signal?.reason)
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    // A copy is transferred: moving the caller's buffer would empty it under their feet (and
    // a small Buffer shares its ArrayBuffer with others from Node's pool). Not `slice()`: on a
    // Buffer that is a view, not a copy.
    const bytes = new Uint8Array(image)
    try {
      return await started().run({ bytes, taskId }, {
        signal: stop.signal,
        transferList: [bytes.buffer],
      })
    } catch (err) {
      // piscina terminates the thread of an aborted task and starts another.
      if (signal?.aborted) throw signal.reason
      if (timedOut) throw new ImageReadTimeoutError(timeoutMs)
      if (closing !== undefined) throw new CodeReaderClosedError()
      const cause = poolError ?? err
      poolError = undefined
      throw new CodeReaderError('a decoding worker thread failed', { cause })
    } finally {
      onStart.delete(taskId)
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerAbort)
    }
  }

  return {
    maxImageBytes,
    async read(image, signal) {
      if (closing !== undefined) throw new CodeReaderClosedError()
      signal?.throwIfAborted()
      check(image)
      const result = await decode(image, signal)
      if ('unreadable' in result) throw new ImageUnreadableError(`image could not be decoded: ${result.unreadable}`)
      return result.codes satisfies DecodedCode[]
    },
    close() {
      // Queued and running reads reject with CodeReaderClosedError (see decode's catch).
      closing ??= pool === undefined ? Promise.resolve() : pool.destroy()
      return closing
    },
  }
}

const isTaskStarted = (m: unknown): m is TaskStarted =>
  typeof m === 'object' && m !== null && typeof (m as Partial<TaskStarted>).codeReaderTaskStarted === 'number'

/** `{ threads: undefined }` must fall back to the default, not override it. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
