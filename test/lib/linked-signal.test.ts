import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { linkSignal } from '../../src/lib/index.js'

describe('linkSignal', () => {
  it('aborts with the parent and carries its reason', () => {
    const parent = new AbortController()
    const linked = linkSignal([parent.signal, undefined])
    const reason = new Error('shutdown')
    parent.abort(reason)
    expect(linked.signal.aborted).toBe(true)
    expect(linked.signal.reason).toBe(reason)
  })

  it('is aborted at once when a parent already is', () => {
    const parent = new AbortController()
    parent.abort(new Error('gone'))
    expect(linkSignal([parent.signal], 1_000).signal.aborted).toBe(true)
  })

  it('aborts with a TimeoutError after the timeout', async () => {
    const linked = linkSignal([], 5)
    await new Promise((resolve) => linked.signal.addEventListener('abort', resolve, { once: true }))
    expect(linked.signal.reason).toMatchObject({ name: 'TimeoutError' })
  })

  it('lets go of the parent and the timer once released', async () => {
    const parent = new AbortController()
    const linked = linkSignal([parent.signal], 5)
    linked.release()
    parent.abort(new Error('after release'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(linked.signal.aborted).toBe(false)
  })

  it('leaves no listener on a long-lived parent once released', () => {
    // A worker's shutdown signal lives as long as the process; every job links to it.
    const parent = new AbortController()
    const held = Array.from({ length: 100 }, () => linkSignal([parent.signal], 10_000))
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(100)
    for (const l of held) l.release()
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0)
  })
})

describe('linkSignal timedOut', () => {
  it('says whether its own timeout fired, not a parent\'s abort', async () => {
    const parent = new AbortController()
    const byParent = linkSignal([parent.signal], 10_000)
    parent.abort(new DOMException('gone', 'TimeoutError'))
    expect(byParent.timedOut).toBe(false)
    byParent.release()
    const byTimer = linkSignal([], 5)
    await new Promise((resolve) => byTimer.signal.addEventListener('abort', resolve, { once: true }))
    expect(byTimer.timedOut).toBe(true)
  })
})
