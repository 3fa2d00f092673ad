import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { questionGroupKey, readLessons, termSimilarity, type LearningMessage, type ReplySource } from '../../src/domain/index.js'

let ids = 0
const customer = (seq: number, text: string): LearningMessage => ({ id: ++ids, direction: 'in', kind: undefined, seq, text, source: undefined, handoff: false, apology: false })
const bot = (seq: number, source: ReplySource, extra: Partial<LearningMessage> = {}): LearningMessage => ({
  id: ++ids, direction: 'out', kind: 'reply', seq, text: `bot ${source}`, source, handoff: false, apology: false, ...extra,
})
const agent = (seq: number, text: string): LearningMessage => ({ id: ++ids, direction: 'out', kind: 'agent', seq, text, source: undefined, handoff: false, apology: false })

describe('what a conversation teaches', () => {
  it('pairs a fallback question with the agent answer that follows a hand-off request', () => {
    const q = customer(1, 'vocês entregam em Niterói?')
    const lessons = readLessons(
      [q, bot(1, 'fallback'), customer(2, 'quero falar com um atendente'), bot(2, 'rule', { handoff: true }), agent(2, 'Sim, entregamos em Niterói em até 2 dias.'), agent(2, 'Frete grátis acima de R$ 100.')],
      'handoff',
    )
    expect(lessons.fallbacks).toEqual([{ messageId: q.id, question: 'vocês entregam em Niterói?', answer: 'Sim, entregamos em Niterói em até 2 dias.\nFrete grátis acima de R$ 100.' }])
    expect(lessons.replies).toEqual([{ seq: 1, source: 'fallback' }, { seq: 2, source: 'rule' }])
    expect(lessons.handoffReason).toBe('customer-request')
  })

  it('joins a burst into one question and keys it by its last message', () => {
    const a = customer(1, 'oi')
    const b = customer(2, 'qual o horário da loja no feriado?')
    const lessons = readLessons([a, b, bot(2, 'fallback')], 'open')
    expect(lessons.fallbacks).toEqual([{ messageId: b.id, question: 'oi\nqual o horário da loja no feriado?', answer: undefined }])
  })

  it('reads a reply split in parts as one reply', () => {
    const lessons = readLessons([customer(1, 'planos?'), bot(1, 'knowledge-base'), bot(1, 'knowledge-base')], 'open')
    expect(lessons.replies).toEqual([{ seq: 1, source: 'knowledge-base' }])
    expect(lessons.fallbacks).toEqual([])
  })

  it('gives the agent answer to the latest fallback only; the earlier one stays unanswered', () => {
    const first = customer(1, 'aceitam cheque?')
    const second = customer(2, 'e vale-refeição?')
    const lessons = readLessons([first, bot(1, 'fallback'), second, bot(2, 'fallback', { handoff: true }), agent(2, 'Aceitamos VR e VA.')], 'handoff')
    expect(lessons.fallbacks.map((f) => [f.messageId, f.answer])).toEqual([[first.id, undefined], [second.id, 'Aceitamos VR e VA.']])
    expect(lessons.handoffReason).toBe('not-understood')
  })

  it('does not give an agent answer to a fallback the customer moved on from with a bot answer', () => {
    const lessons = readLessons([customer(1, 'aceitam cheque?'), bot(1, 'fallback'), customer(2, 'qual o plano mais barato?'), bot(2, 'knowledge-base'), agent(2, 'Oi!')], 'handoff')
    expect(lessons.fallbacks[0]!.answer).toBeUndefined()
  })

  it('tells the hand-off reasons apart', () => {
    expect(readLessons([customer(1, 'x'), bot(1, 'rule', { handoff: true, apology: true })], 'handoff').handoffReason).toBe('turn-failed')
    expect(readLessons([customer(1, 'x'), agent(1, 'Oi, sou a Carla')], 'handoff').handoffReason).toBe('agent-took-over')
    expect(readLessons([customer(1, 'x')], 'handoff').handoffReason).toBe('outside-reply-window')
    expect(readLessons([customer(1, 'x'), bot(1, 'knowledge-base')], 'resolved').handoffReason).toBeNull()
  })

  it('never finds more fallbacks than fallback replies, and reads the same messages the same way', () => {
    const message = fc.oneof(
      fc.string({ maxLength: 20 }).map((t) => ({ t: 'in' as const, text: t })),
      fc.constantFrom<ReplySource>('knowledge-base', 'fallback', 'ai', 'rule').map((s) => ({ t: 'bot' as const, source: s })),
      fc.string({ maxLength: 20 }).map((t) => ({ t: 'agent' as const, text: t })),
    )
    fc.assert(
      fc.property(fc.array(message, { maxLength: 30 }), (script) => {
        let seq = 0
        const messages = script.map((m) =>
          m.t === 'in' ? customer(++seq, m.text) : m.t === 'bot' ? bot(seq, m.source) : agent(seq, m.text),
        )
        const lessons = readLessons(messages, 'open')
        expect(lessons.fallbacks.length).toBeLessThanOrEqual(lessons.replies.filter((r) => r.source === 'fallback').length)
        expect(readLessons(messages, 'open')).toEqual(lessons)
        const inbound = new Set(messages.filter((m) => m.direction === 'in').map((m) => m.id))
        for (const f of lessons.fallbacks) expect(inbound.has(f.messageId)).toBe(true)
      }),
    )
  })
})

describe('similar questions', () => {
  it('is 1 for the same terms in any order and 0 for disjoint ones', () => {
    expect(termSimilarity(['entreg', 'niteroi'], ['niteroi', 'entreg'])).toBe(1)
    expect(termSimilarity(['entreg'], ['boleto'])).toBe(0)
    expect(termSimilarity([], [])).toBe(0)
  })

  it('keys a group by its sorted distinct terms', () => {
    expect(questionGroupKey(['niteroi', 'entreg', 'niteroi'])).toBe('entreg niteroi')
  })

  it('is symmetric and between 0 and 1', () => {
    const terms = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 6 })
    fc.assert(
      fc.property(terms, terms, (a, b) => {
        const s = termSimilarity(a, b)
        expect(s).toBe(termSimilarity(b, a))
        expect(s).toBeGreaterThanOrEqual(0)
        expect(s).toBeLessThanOrEqual(1)
      }),
    )
  })
})
