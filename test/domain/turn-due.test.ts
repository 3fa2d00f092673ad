import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { turnDueAt } from '../../src/domain/index.js'

describe('turnDueAt', () => {
  it('waits for the conversation to be quiet for debounceMs', () => {
    const first = new Date(1_000_000)
    const last = new Date(1_000_500)
    expect(turnDueAt(first, last, { debounceMs: 1_500, debounceMaxMs: 8_000 }).getTime()).toBe(1_002_000)
  })

  it('never waits longer than debounceMaxMs after the first unanswered message', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 0, max: 1e6 }),
        (first, gap, debounceMs, extra) => {
          const debounceMaxMs = debounceMs + extra
          const due = turnDueAt(new Date(first), new Date(first + gap), { debounceMs, debounceMaxMs }).getTime()
          return due <= first + debounceMaxMs && due <= first + gap + debounceMs && (due === first + gap + debounceMs || due === first + debounceMaxMs)
        },
      ),
    )
  })
})
