import { createHook } from 'node:async_hooks'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { generateImageSet, type GeneratedImage } from '../../bench/images/generate.js'
import { CodeReaderClosedError, ImageReadTimeoutError } from '../../src/errors.js'
import { createCodeReaderOn } from '../../src/images/code-reader.js'
import { createCodeReader, type CodeReader, type CodeReaderOptions } from '../../src/images/index.js'
import { codeReaderWorkerEntry } from '../../src/images/worker-entry.js'
import { HANGING_WIDTH } from './fixtures/hanging.worker.js'
import { PAYLOADS } from './payloads.js'
import { pngHeaderOnly } from './slow-image.js'

// Worker threads alive in this process, counted through their async resources. Node runs
// destroy hooks a moment after a thread's 'exit', hence the waitFor below.
const liveWorkers = new Set<number>()
createHook({ init: (id, type) => { if (type === 'WORKER') liveWorkers.add(id) }, destroy: (id) => { liveWorkers.delete(id) } }).enable()
const noWorkersLeft = () => vi.waitFor(() => expect(liveWorkers.size).toBe(0), { timeout: 2_000 })

/** An image the hanging worker starts decoding and never finishes. */
const STUCK = pngHeaderOnly(HANGING_WIDTH, 1)
const HANGING_WORKER = fileURLToPath(new URL('./fixtures/hanging.worker.ts', import.meta.url))

describe('code reader threads', () => {
  let photos: GeneratedImage[]
  let clean: GeneratedImage
  const readers: CodeReader[] = []
  const track = (reader: CodeReader) => (readers.push(reader), reader)
  const hangingReader = (options: CodeReaderOptions) =>
    track(createCodeReaderOn({ ...codeReaderWorkerEntry(), filename: HANGING_WORKER }, options))
  beforeAll(async () => {
    photos = await generateImageSet(PAYLOADS, ['photo-jpeg'])
    clean = (await generateImageSet([PAYLOADS[2]!], ['clean-png']))[0]!
  })
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.close()))
    await noWorkersLeft()
  })

  it('keeps the main event loop turning while 8 photos decode', async () => {
    const reader = track(createCodeReader({ threads: 2 }))
    const images = Array.from({ length: 8 }, (_, i) => photos[i % photos.length]!)
    let ticks = 0
    const interval = setInterval(() => { ticks += 1 }, 10)
    try {
      const results = await Promise.all(images.map((image) => reader.read(image.bytes)))
      expect(results).toEqual(images.map((image) => image.expected))
    } finally {
      clearInterval(interval)
    }
    // Decoding on this thread would block it ~100 ms per photo, leaving at most about one
    // tick per image; off-thread the timer keeps firing throughout.
    expect(ticks).toBeGreaterThanOrEqual(2 * images.length)
  })

  it('ends a decode stuck past timeoutMs and replaces its thread; the wait behind it is not counted', async () => {
    const reader = hangingReader({ threads: 1, timeoutMs: 1_000 })
    // One thread: the clean image waits behind the stuck one for a full timeout, then needs
    // a new thread. It is read all the same, within its own 1,000 ms.
    const [stuck, next] = await Promise.allSettled([reader.read(STUCK), reader.read(clean.bytes)])
    expect(stuck).toMatchObject({ status: 'rejected', reason: expect.any(ImageReadTimeoutError) })
    expect((stuck as PromiseRejectedResult).reason).toMatchObject({ code: 'ATD_IMAGE_READ_TIMEOUT', retryable: false })
    expect(next).toEqual({ status: 'fulfilled', value: clean.expected })
  })

  it('rejects with the signal\'s reason when aborted, before or during a decode', async () => {
    const reader = hangingReader({ threads: 1, timeoutMs: 60_000 })
    const reason = new Error('customer left')
    await expect(reader.read(clean.bytes, AbortSignal.abort(reason))).rejects.toBe(reason)
    const controller = new AbortController()
    const reading = reader.read(STUCK, controller.signal)
    controller.abort(reason)
    await expect(reading).rejects.toBe(reason)
    // Only a terminated thread lets the single-thread pool take another image.
    expect(await reader.read(clean.bytes)).toEqual(clean.expected)
  })

  it('ends its threads on close, stuck ones included, and rejects what was in flight and every later read', async () => {
    const reader = hangingReader({ threads: 2, timeoutMs: 60_000 })
    expect(liveWorkers.size).toBe(0) // threads start with the first image
    expect(await reader.read(clean.bytes)).toEqual(clean.expected)
    expect(liveWorkers.size).toBe(2)
    const inFlight = reader.read(STUCK).catch((err: unknown) => err)
    const closing = reader.close()
    expect(reader.close()).toBe(closing)
    await closing
    expect(await inFlight).toBeInstanceOf(CodeReaderClosedError)
    await expect(reader.read(clean.bytes)).rejects.toBeInstanceOf(CodeReaderClosedError)
    await noWorkersLeft()
  })
})
