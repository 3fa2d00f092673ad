import { describe, expect, it } from 'vitest'
import { createCoalescer, type Settled } from '../../src/lib/index.js'

/** A flush that records its groups and waits until the test lets it finish. */
function heldFlush<T>() {
  const groups: T[][] = []
  const releases: Array<() => void> = []
  const flush = async (items: T[]): Promise<Settled<string>[]> => {
    groups.push(items)
    await new Promise<void>((resolve) => releases.push(resolve))
    return items.map((i) => ({ ok: true, value: `done ${String(i)}` }))
  }
  return { groups, flush, releaseNext: () => releases.shift()?.() }
}

describe('createCoalescer', () => {
  it('flushes the first item at once, and items that arrive during a flush together in the next', async () => {
    const held = heldFlush<number>()
    const run = createCoalescer({ flush: held.flush })
    const first = run(1)
    expect(held.groups).toEqual([[1]])
    const later = [run(2), run(3), run(4)]
    // Not served by the flush in flight: it began before they arrived.
    expect(held.groups).toEqual([[1]])
    held.releaseNext()
    await expect(first).resolves.toBe('done 1')
    await expect.poll(() => held.groups.length).toBe(2)
    expect(held.groups[1]).toEqual([2, 3, 4])
    held.releaseNext()
    await expect(Promise.all(later)).resolves.toEqual(['done 2', 'done 3', 'done 4'])
  })

  it('splits what waits into groups of at most maxItems', async () => {
    const held = heldFlush<number>()
    const run = createCoalescer({ flush: held.flush, maxItems: 2 })
    const all = [run(1), run(2), run(3), run(4), run(5)]
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => held.groups.length).toBe(i + 1)
      held.releaseNext()
    }
    await Promise.all(all)
    expect(held.groups).toEqual([[1], [2, 3], [4, 5]])
  })

  it('gives each item its own outcome, and a failed flush fails only its group', async () => {
    let calls = 0
    const run = createCoalescer<number, number>({
      flush: async (items) => {
        calls++
        if (calls === 1) throw new Error('database down')
        return items.map((i): Settled<number> => (i % 2 === 0 ? { ok: true, value: i * 10 } : { ok: false, error: new Error(`odd ${i}`) }))
      },
    })
    const failed = run(0)
    const next = [run(2), run(3)]
    await expect(failed).rejects.toThrow('database down')
    await expect(next[0]).resolves.toBe(20)
    await expect(next[1]).rejects.toThrow('odd 3')
  })

  it('rejects the items a flush gave no outcome for', async () => {
    const run = createCoalescer<number, number>({ flush: async () => [] })
    await expect(run(1)).rejects.toThrow('fewer outcomes than items')
  })
})
