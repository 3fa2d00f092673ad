import { afterEach, describe, expect, it, vi } from 'vitest'
import { startPeriodic } from '../../src/lib/index.js'

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe('startPeriodic', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('joins the run in progress instead of starting a second', async () => {
    const gate = deferred<number>()
    let starts = 0
    const task = startPeriodic(() => (starts++, gate.promise), { intervalMs: 60_000, onError: () => {} })
    const first = task.runOnce()
    const second = task.runOnce()
    gate.resolve(7)
    expect(await Promise.all([first, second])).toEqual([7, 7])
    expect(starts).toBe(1)
    await task.stop()
  })

  it('runs on every tick and reports a failed tick to onError', async () => {
    vi.useFakeTimers()
    const errors: unknown[] = []
    let runs = 0
    const task = startPeriodic(
      async () => {
        runs++
        if (runs === 2) throw new Error('second run fails')
        return runs
      },
      { intervalMs: 1_000, onError: (err) => errors.push(err) },
    )
    await vi.advanceTimersByTimeAsync(3_000)
    expect(runs).toBe(3)
    expect(errors.map((e) => (e as Error).message)).toEqual(['second run fails'])
    await task.stop()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(runs).toBe(3)
  })

  it('stop() waits for the run in progress and does not rethrow its failure', async () => {
    const gate = deferred<number>()
    const task = startPeriodic(() => gate.promise, { intervalMs: 60_000, onError: () => {} })
    const run = task.runOnce()
    let stopped = false
    const stopping = task.stop().then(() => (stopped = true))
    await Promise.resolve()
    expect(stopped).toBe(false)
    gate.reject(new Error('failed while stopping'))
    await expect(run).rejects.toThrow('failed while stopping')
    await stopping
    expect(stopped).toBe(true)
  })
})
