/**
 * Issue #9's milestone D scenario, end to end over the real pieces: a bot fallback followed by
 * an agent's answer yields one pending proposal; approving it through the admin API makes the
 * next customer asking that question get that answer from the bot.
 */
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createLocalProvider } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { createApp } from '../../src/http/index.js'
import { loggerOptions } from '../../src/log/index.js'
import { createPrivacy } from '../../src/privacy/index.js'
import { queueOutbound } from '../../src/store/index.js'
import { createLearnedAi, createLearningProcessor } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { jobContext, outboxRows, sentText, silent, useWorkerSuite, type Harness } from './harness.js'

const ADMIN = { authorization: 'Bearer learning-review-admin-token-0123456789' }
const QUESTION = 'vocês entregam em Niterói?'
const ANSWER = 'Sim! Entregamos em Niterói em até 2 dias úteis, com frete grátis acima de R$ 150.'

describe.each(ENGINES)('learning review, end to end (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  let app: FastifyInstance | undefined

  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  async function adminApi(h: Harness): Promise<FastifyInstance> {
    app = await createApp({
      log: pino(loggerOptions('silent')),
      ingest: h.ingest,
      whatsapp: { appSecret: secret('s'), verifyToken: secret('v') },
      health: { pingDatabase: suite.database.ping, databaseEngine: suite.database.engine, runtimeMode: 'in-process', timeoutMs: 1_000, warnings: [] },
      db: suite.database.db,
      adminToken: secret(ADMIN.authorization.slice('Bearer '.length)),
      privacy: createPrivacy({ db: suite.database.db, dispatcher: h.dispatcher, log: silent }),
      dispatcher: h.dispatcher,
      surveyDelayMs: undefined,
      learningDepartments: suite.kb.departments.map((d) => d.id),
    })
    return app
  }

  const learn = (h: Harness, conversationId: number) =>
    createLearningProcessor({ db: suite.database.db, language: 'pt-BR', log: silent, now: h.clock.now })({ queue: 'learning-tasks', conversationId }, jobContext())

  it('turns a fallback and the agent answer after it into one proposal that, once approved, the bot answers with', async () => {
    const ai = createLearnedAi({ db: suite.database.db, kb: suite.kb, build: createLocalProvider })
    // Another process's provider: built before the approval, told nothing about it.
    const otherProcess = createLearnedAi({ db: suite.database.db, kb: suite.kb, build: createLocalProvider })
    const h = await suite.harness(ai)
    const api = await adminApi(h)

    const id = await h.burst(QUESTION)
    await h.turn(id)
    // The bot cannot place it: the department menu, which learning counts as a fallback.
    expect((await outboxRows(suite.database, id))[0]!.kind).toBe('menu')
    await h.burst('quero falar com um atendente')
    await h.turn(id)
    const agent = await queueOutbound(suite.database.db, {
      conversationId: id, kind: 'agent', content: { type: 'text', text: ANSWER }, meta: { agent: 'Carla' }, takeOver: true, now: h.clock.now(),
    })
    expect(agent.kind).toBe('queued')

    // Resolved, then closed: the learning task runs twice and still proposes once.
    await learn(h, id)
    await learn(h, id)

    const listed = await api.inject({ method: 'GET', url: '/api/learning/proposals?status=pending&kind=faq', headers: ADMIN })
    expect(listed.statusCode).toBe(200)
    const items = (listed.json() as { items: Array<Record<string, unknown>> }).items.filter((p) => p.question === QUESTION)
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({ kind: 'faq', status: 'pending', question: QUESTION, answer: ANSWER, count: 1, flagged: false })
    expect(typeof items[0]!.createdAt).toBe('string')
    const proposalId = items[0]!.id as number
    const department = items[0]!.department as string | null

    // Nothing is learned before the approval.
    const before = await suite.harness(otherProcess)
    const early = await before.burst(QUESTION)
    await before.turn(early)
    expect((await outboxRows(suite.database, early))[0]!.kind).toBe('menu')

    const body = department === null ? { department: 'comercial' } : undefined
    const approved = await api.inject({ method: 'POST', url: `/api/learning/proposals/${proposalId}/approve`, headers: ADMIN, ...(body ? { payload: body } : {}) })
    expect(approved.statusCode).toBe(200)
    expect(approved.json()).toMatchObject({ id: proposalId, status: 'approved' })

    for (const provider of [otherProcess, ai]) {
      const next = await suite.harness(provider)
      const other = await next.burst(QUESTION)
      await next.turn(other)
      expect(sentText(next.sends()[0]!)).toBe(ANSWER)
    }

    const again = await api.inject({ method: 'POST', url: `/api/learning/proposals/${proposalId}/approve`, headers: ADMIN })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'ATD_LEARNING_PROPOSAL_NOT_PENDING' })
  })
})
