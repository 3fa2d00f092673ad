import { sql, type SQL } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { createLocalProvider } from '../../src/ai/index.js'
import type { Db } from '../../src/store/index.js'
import { createLearnedAi } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { useWorkerSuite } from './harness.js'

/**
 * The real database, with its reads of the additions' version counted and, when asked,
 * held until released: the race between an approval and a read already in flight.
 */
function watchVersionReads(db: Db) {
  const state = { reads: 0, hold: undefined as Promise<void> | undefined }
  const isVersionRead = (query: unknown) =>
    typeof query === 'object' && query !== null && 'queryChunks' in query &&
    JSON.stringify((query as SQL).queryChunks).includes('from knowledge_additions') &&
    JSON.stringify((query as SQL).queryChunks).includes('count(*)')
  const watched = new Proxy(db, {
    get(target, key, receiver) {
      if (key !== 'execute') return Reflect.get(target, key, receiver) as unknown
      return async (query: SQL) => {
        if (isVersionRead(query)) {
          state.reads++
          const hold = state.hold
          const result = await target.execute(query)
          if (hold !== undefined) await hold
          return result
        }
        return target.execute(query)
      }
    },
  })
  return { db: watched, state }
}

describe.each(ENGINES)('learned knowledge: the version read before each turn (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  const question = (text: string) => ({ conversationId: 1, history: [], unanswered: [{ direction: 'in' as const, text }], currentDepartment: undefined })

  it('shares one read among the turns that start while another is in flight', async () => {
    const { db, state } = watchVersionReads(suite.database.db)
    const ai = createLearnedAi({ db, kb: suite.kb, build: createLocalProvider })
    const replies = await Promise.all(Array.from({ length: 20 }, () => ai.reply(question('como faço pra pegar a segunda via do boleto?'))))
    expect(replies).toHaveLength(20)
    // The first turn reads alone; the 19 that started during its read share the next one.
    expect(state.reads).toBe(2)
  })

  it('never answers a turn from a read that began before it: an approval committed before the turn is used', async () => {
    const { db, state } = watchVersionReads(suite.database.db)
    const ai = createLearnedAi({ db, kb: suite.kb, build: createLocalProvider })
    const answer = 'Sim: a pista de patinação abre aos sábados, das 14h às 18h.'
    const asked = 'vocês têm pista de patinação?'
    expect((await ai.reply(question(asked))).text).not.toBe(answer)

    // A turn's read has its (old) result and is held, as if its reply were still on the wire.
    let release!: () => void
    state.hold = new Promise<void>((resolve) => (release = resolve))
    const early = ai.reply(question(asked))
    await expect.poll(() => state.reads).toBe(2)
    // The approval commits; then a new turn starts while the early read is still in flight.
    await suite.database.db.execute(
      sql`insert into knowledge_additions (department, question, answer) values ('comercial', 'Vocês têm pista de patinação?', ${answer})`,
    )
    const late = ai.reply(question(asked))
    state.hold = undefined
    release()

    // The early turn answers from what it read; the late one from a read that began after it.
    expect((await early).text).not.toBe(answer)
    expect((await late).text).toBe(answer)
    expect(state.reads).toBe(3)
  })
})
