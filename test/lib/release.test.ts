import { describe, expect, it } from 'vitest'
import { releaseAll, releaseTogether } from '../../src/lib/index.js'

describe('releaseAll', () => {
  it('releases last first', async () => {
    const order: string[] = []
    await releaseAll([() => order.push('database'), async () => order.push('workers'), () => order.push('http')])
    expect(order).toEqual(['http', 'workers', 'database'])
  })

  it('runs every release after a failure and rejects with the first error', async () => {
    const order: string[] = []
    const first = new Error('http close failed')
    const promise = releaseAll([
      () => order.push('database'),
      () => { throw new Error('workers close failed') },
      async () => { throw first },
    ])
    await expect(promise).rejects.toBe(first)
    expect(order).toEqual(['database'])
  })
})

describe('releaseTogether', () => {
  it('waits for every release and rejects with the first failure', async () => {
    const done: string[] = []
    const failure = new Error('queue close failed')
    const promise = releaseTogether([
      async () => { await new Promise((r) => setImmediate(r)); done.push('slow') },
      async () => { throw failure },
    ])
    await expect(promise).rejects.toBe(failure)
    expect(done).toEqual(['slow'])
  })
})
