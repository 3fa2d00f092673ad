import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet, type GeneratedImage } from '../../bench/images/generate.js'
import { ImageTooLargeError, ImageUnreadableError } from '../../src/errors.js'
import { createCodeReader, type CodeReader } from '../../src/images/index.js'
import { PAYLOADS } from './payloads.js'
import { jpegHeaderOnly, pngHeaderOnly } from './slow-image.js'

const settle = (p: Promise<unknown>) => p.then((value) => value, (err: unknown) => err)

describe('code reader: input it refuses', () => {
  let reader: CodeReader
  let clean: GeneratedImage
  let photo: GeneratedImage
  beforeAll(async () => {
    reader = createCodeReader({ maxImageBytes: 1_000_000, maxPixels: 4_000_000 })
    const set = await generateImageSet([PAYLOADS[2]!], ['clean-png', 'photo-jpeg'])
    clean = set[0]!
    photo = set[1]!
  })
  afterAll(() => reader.close())

  it('refuses more bytes than maxImageBytes', async () => {
    const err = await settle(reader.read(new Uint8Array(1_000_001)))
    expect(err).toBeInstanceOf(ImageTooLargeError)
    expect(err).toMatchObject({ code: 'ATD_IMAGE_TOO_LARGE', message: 'image has 1000001 bytes; expected at most 1000000' })
  })

  // The headers promise huge images and carry no pixel data: only a header check can
  // answer "too large" rather than "unreadable", so nothing was decoded.
  it.each([
    ['PNG', pngHeaderOnly(100_000, 100_000)],
    ['JPEG', jpegHeaderOnly(60_000, 60_000)],
  ])('refuses a %s whose header promises more pixels than maxPixels', async (_, bytes) => {
    const err = await settle(reader.read(bytes))
    expect(err).toBeInstanceOf(ImageTooLargeError)
    expect((err as Error).message).toMatch(/pixels; expected at most 4000000 pixels$/)
  })

  it('calls bytes that are neither PNG nor JPEG unreadable', async () => {
    await expect(reader.read(new TextEncoder().encode('not an image at all'))).rejects.toBeInstanceOf(ImageUnreadableError)
  })

  it('calls a PNG whose data is missing unreadable', async () => {
    const err = await settle(reader.read(pngHeaderOnly(100, 100)))
    expect(err).toBeInstanceOf(ImageUnreadableError)
    expect(err).toMatchObject({ code: 'ATD_IMAGE_UNREADABLE' })
  })

  it('survives truncated and scrambled files, then reads the next image', async () => {
    const scrambled = photo.bytes.slice()
    for (let i = 600; i < scrambled.length; i += 97) scrambled[i] = scrambled[i]! ^ 0x5a
    const outcomes = await Promise.all([
      settle(reader.read(clean.bytes.subarray(0, clean.bytes.length >> 1))),
      settle(reader.read(photo.bytes.subarray(0, photo.bytes.length >> 1))),
      settle(reader.read(scrambled)),
    ])
    for (const outcome of outcomes) expect(Array.isArray(outcome) || outcome instanceof ImageUnreadableError).toBe(true)
    expect(await reader.read(clean.bytes)).toEqual(clean.expected)
  })
})
