import { describe, expect, it } from 'vitest'
import { createRepeatGate } from '../../src/lib/index.js'

describe('createRepeatGate', () => {
  it('lets the first event through, holds back repeats within the interval, and counts them on the next', () => {
    let t = 0
    const gate = createRepeatGate(60_000, () => t)
    const emitted: number[] = []
    // A reconnect attempt every 500 ms for two minutes, as a refused Redis gives each connection.
    for (; t <= 120_000; t += 500) gate((suppressed) => emitted.push(suppressed))
    expect(emitted).toEqual([0, 119, 119])
  })
})
