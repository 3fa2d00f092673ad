import { getEventListeners } from 'node:events'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateImageSet, type GeneratedImage } from '../../bench/images/generate.js'
import { createCodeReader, type CodeReader } from '../../src/images/index.js'
import { PAYLOADS } from './payloads.js'

describe('code reader', () => {
  let reader: CodeReader
  let set: GeneratedImage[]
  beforeAll(async () => {
    reader = createCodeReader({ threads: 2 })
    set = await generateImageSet(PAYLOADS)
  })
  afterAll(() => reader.close())

  it.each(PAYLOADS.flatMap((p) => ['clean-png', 'photo-jpeg', 'small-png'].map((variant) => [p.name, variant] as const)))(
    'reads %s from %s exactly, with its format',
    async (name, variant) => {
      const image = set.find((i) => i.name === name && i.variant === variant)!
      expect(await reader.read(image.bytes)).toEqual(image.expected)
    },
  )

  it('leaves nothing on the caller\'s signal once a read is done (a worker\'s signal lives as long as the process)', async () => {
    const image = set.find((i) => i.variant === 'clean-png')!
    const controller = new AbortController()
    await reader.read(image.bytes, controller.signal)
    await reader.read(new Uint8Array([0x89, 0x50]), controller.signal).catch(() => {})
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('finds nothing in a photo without a code', async () => {
    const image = set.find((i) => i.variant === 'no-code')!
    expect(await reader.read(image.bytes)).toEqual([])
  })

  it('leaves the caller\'s bytes in place, a Buffer from Node\'s shared pool included', async () => {
    const image = set.find((i) => i.variant === 'clean-png')!
    const pooled = Buffer.from(image.bytes)
    const neighbour = Buffer.from('shares the pool')
    expect(await reader.read(pooled)).toEqual(image.expected)
    expect(Buffer.compare(pooled, image.bytes)).toBe(0)
    expect(neighbour.toString()).toBe('shares the pool')
  })

  it('round-trips any 44-digit ITF payload in the clean variant', async () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 44, maxLength: 44 })
    await fc.assert(
      fc.asyncProperty(digits, async (text) => {
        const [image] = await generateImageSet([{ name: 'random', format: 'ITF', text }], ['clean-png'])
        expect(await reader.read(image!.bytes)).toEqual([{ format: 'ITF', text }])
      }),
      { numRuns: 8 },
    )
  })
})
