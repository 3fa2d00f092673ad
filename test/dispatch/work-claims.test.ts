import { afterEach, describe, expect, it } from 'vitest'
import { withWorkClaims } from '../../src/dispatch/index.js'
import { claimWorks, releaseWorks, type Database, type Db, type WorkClaim } from '../../src/store/index.js'
import type { JobContext, Processor } from '../../src/queues/index.js'
import { createTestDatabase, ENGINES, openMigrated, type Engine } from '../helpers/db.js'
import { deferred, silentLog } from './helpers.js'

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function database(engine: Engine): Promise<Database> {
  const t = await createTestDatabase(engine)
  cleanups.push(() => t.drop())
  const d = await openMigrated(t)
  cleanups.push(() => d.close())
  return d
}

/** One key's claim and release, as one job makes them. */
const claimWork = async (db: Db, c: { key: string; owner: string; now: Date; until: Date }): Promise<WorkClaim> =>
  (await claimWorks(db, { keys: [c.key], owner: c.owner, now: c.now, until: c.until }))[0]!
const releaseWork = (db: Db, key: string, owner: string) => releaseWorks(db, [key], owner)

const ctx = (attempt = 1): JobContext => ({ attempt, maxAttempts: 3, signal: new AbortController().signal, log: silentLog })
const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 8) + ms)

describe.each(ENGINES)('work claims on %s', (engine) => {
  it('gives one key to one owner at a time, however many claim it together', async () => {
    const { db } = await database(engine)
    const owners = Array.from({ length: 12 }, (_, i) => `owner-${i}`)
    const results = await Promise.all(owners.map((owner) => claimWork(db, { key: 'msg-1', owner, now: at(0), until: at(60_000) })))
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1)
    for (const r of results) if (r.kind === 'held') expect(r.until.getTime()).toBeGreaterThan(at(0).getTime())
  })

  it('lets the owner claim again, another owner only once the claim lapsed or was released', async () => {
    const { db } = await database(engine)
    const key = 'img-7'
    expect(await claimWork(db, { key, owner: 'a', now: at(0), until: at(10_000) })).toEqual({ kind: 'claimed' })
    expect(await claimWork(db, { key, owner: 'a', now: at(1_000), until: at(11_000) })).toEqual({ kind: 'claimed' })
    expect(await claimWork(db, { key, owner: 'b', now: at(2_000), until: at(12_000) })).toEqual({ kind: 'held', until: at(11_000) })
    await releaseWork(db, key, 'b') // not b's: nothing happens
    expect((await claimWork(db, { key, owner: 'b', now: at(3_000), until: at(13_000) })).kind).toBe('held')
    expect(await claimWork(db, { key, owner: 'b', now: at(11_000), until: at(21_000) })).toEqual({ kind: 'claimed' })
    await releaseWork(db, key, 'b')
    expect(await claimWork(db, { key, owner: 'c', now: at(12_000), until: at(22_000) })).toEqual({ kind: 'claimed' })
  })

  it('never runs one key in two runtimes at once; the second is put back without spending an attempt', async () => {
    const { db } = await database(engine)
    const started = deferred()
    const finish = deferred()
    let running = 0
    let most = 0
    const inner: Processor<'message-processing'> = async () => {
      running++
      most = Math.max(most, running)
      started.resolve()
      await finish.promise
      running--
    }
    const first = withWorkClaims({ 'message-processing': inner }, { db, owner: 'bullmq', leaseMs: 60_000 })['message-processing']!
    const second = withWorkClaims({ 'message-processing': inner }, { db, owner: 'in-process', leaseMs: 60_000 })['message-processing']!
    const wakeUp = { queue: 'message-processing' as const, messageId: 42 }
    const a = first(wakeUp, ctx())
    await started.promise
    const b = await second(wakeUp, ctx())
    expect(b).toMatchObject({ reason: 'another process runs this job' })
    finish.resolve()
    await a
    expect(most).toBe(1)
    // Released when done: the other runtime may run it now (and finds the row processed).
    expect(await second(wakeUp, ctx())).toBeUndefined()
  })

  it('keeps the claim across a retry, and gives it up after the last attempt', async () => {
    const { db } = await database(engine)
    const failing: Processor<'image-analysis'> = async () => {
      throw new Error('media server 503')
    }
    const mine = withWorkClaims({ 'image-analysis': failing }, { db, owner: 'mine', leaseMs: 60_000 })['image-analysis']!
    const wakeUp = { queue: 'image-analysis' as const, messageId: 9 }
    await expect(mine(wakeUp, ctx(1))).rejects.toThrow('media server 503')
    expect((await claimWork(db, { key: 'img-9', owner: 'other', now: new Date(), until: new Date(Date.now() + 1_000) })).kind).toBe('held')
    await expect(mine(wakeUp, ctx(3))).rejects.toThrow('media server 503')
    expect((await claimWork(db, { key: 'img-9', owner: 'other', now: new Date(), until: new Date(Date.now() + 1_000) })).kind).toBe('claimed')
  })

  it('claims several keys in one statement: an outcome per key, in order, a key listed twice the same', async () => {
    const { db } = await database(engine)
    await claimWork(db, { key: 'msg-2', owner: 'other', now: at(0), until: at(10_000) })
    await claimWork(db, { key: 'msg-3', owner: 'me', now: at(0), until: at(10_000) })
    const claims = await claimWorks(db, { keys: ['msg-4', 'msg-2', 'msg-3', 'msg-4'], owner: 'me', now: at(1_000), until: at(11_000) })
    expect(claims).toEqual([{ kind: 'claimed' }, { kind: 'held', until: at(10_000) }, { kind: 'claimed' }, { kind: 'claimed' }])
    await releaseWorks(db, ['msg-2', 'msg-3', 'msg-4'], 'me')
    // msg-2 was not ours to release; the others are free.
    expect(await claimWorks(db, { keys: ['msg-2', 'msg-3', 'msg-4'], owner: 'third', now: at(2_000), until: at(12_000) })).toEqual([
      { kind: 'held', until: at(10_000) }, { kind: 'claimed' }, { kind: 'claimed' },
    ])
  })

  it('gives each key to one owner when owners claim overlapping sets at once, in any order, without deadlocking', async () => {
    const { db } = await database(engine)
    const keys = Array.from({ length: 20 }, (_, i) => `msg-${100 + i}`)
    const owners = ['a', 'b', 'c', 'd']
    const claims = await Promise.all(
      owners.map((owner, i) => claimWorks(db, { keys: i % 2 === 0 ? keys : [...keys].reverse(), owner, now: at(0), until: at(60_000) })),
    )
    for (const [k, key] of keys.entries()) {
      const winners = owners.filter((_, i) => claims[i]![i % 2 === 0 ? k : keys.length - 1 - k]!.kind === 'claimed')
      expect(winners, key).toHaveLength(1)
    }
  })

  it('runs every job of many that start at once, each key claimed and released', async () => {
    const { db } = await database(engine)
    const ran: number[] = []
    const inner: Processor<'message-processing'> = async (w) => {
      ran.push(w.messageId)
    }
    const run = withWorkClaims({ 'message-processing': inner }, { db, owner: 'busy', leaseMs: 60_000 })['message-processing']!
    const ids = Array.from({ length: 30 }, (_, i) => 500 + i)
    const results = await Promise.all(ids.map((messageId) => run({ queue: 'message-processing', messageId }, ctx())))
    expect(results.every((r) => r === undefined)).toBe(true)
    expect(ran.sort((x, y) => x - y)).toEqual(ids)
    // All released: another owner takes every key at once.
    const after = await claimWorks(db, { keys: ids.map((id) => `msg-${id}`), owner: 'next', now: new Date(), until: new Date(Date.now() + 1_000) })
    expect(after.every((c) => c.kind === 'claimed')).toBe(true)
  })

  it('leaves turns to their own lease', async () => {
    const { db } = await database(engine)
    const turn: Processor<'ai-response'> = async () => {}
    const wrapped = withWorkClaims({ 'ai-response': turn }, { db, owner: 'x', leaseMs: 60_000 })
    expect(wrapped['ai-response']).toBe(turn)
  })
})
