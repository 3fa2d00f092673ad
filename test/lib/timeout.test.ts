import { describe, expect, it } from 'vitest'
import { withTimeout } from '../../src/lib/index.js'

describe('withTimeout', () => {
  it('resolves with the work when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7)
  })

  it('rejects with the given error when the work does not settle in time', async () => {
    const never = new Promise<never>(() => {})
    await expect(withTimeout(never, 5, () => new Error('no answer within 5 ms'))).rejects.toThrow('no answer within 5 ms')
  })

  it('passes the work\'s own rejection on', async () => {
    const err = new Error('refused')
    await expect(withTimeout(Promise.reject(err), 1_000, () => new Error('late'))).rejects.toBe(err)
  })
})
