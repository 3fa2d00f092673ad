import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createLocalProvider } from '../../src/ai/local-provider.js'
import { createAnalyzer, foldText } from '../../src/ai/text-analysis.js'
import type { AiProvider } from '../../src/ai/types.js'
import { turn } from './turn.js'

describe('text analysis', () => {
  it('folds case and accents', () => {
    expect(foldText('CONEXÃO Lenta, Não É?')).toBe('conexao lenta, nao e?')
  })

  it('gives the same stems with and without accents', () => {
    const pt = createAnalyzer('pt-BR')
    expect(pt.terms('Conexão instável, mudança')).toEqual(pt.terms('conexao instavel mudanca'))
  })

  it('drops stop words and expands WhatsApp shorthand', () => {
    const pt = createAnalyzer('pt-BR')
    expect(pt.terms('vc pode me mandar a 2a via pfv')).toEqual(pt.terms('mandar segunda via'))
    expect(pt.words('a net ta lentaaaa')).toEqual(['a', 'internet', 'ta', 'lenta'])
  })

  it('joins the spellings of Wi-Fi', () => {
    const pt = createAnalyzer('pt-BR')
    expect(pt.terms('wi-fi')).toEqual(pt.terms('wifi'))
    expect(pt.terms('wi fi')).toEqual(pt.terms('WiFi'))
  })

  it('stems English with the English stemmer', () => {
    expect(createAnalyzer('en').terms('cancelling my payments')).toEqual(['cancel', 'payment'])
  })
})

describe('local provider tolerance of accents and typos', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  const answerTo = (prefix: string) => kb.faq.find((f) => f.question.startsWith(prefix))?.answer

  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })

  it.each([
    ['SEM CONEXÃO NENHUMA', 'Estou sem internet'],
    ['sem conexao nenhuma', 'Estou sem internet'],
    ['como troco a senha do wifi', 'Como troco a senha do Wi-Fi'],
    ['como troco a senha do wi-fi', 'Como troco a senha do Wi-Fi'],
    ['minha internete ta muito lenda', 'Minha internet está lenta'],
    ['segunda via do boelto', 'Como tirar a segunda via'],
    ['quero cancelr o contrato', 'Como cancelar a internet'],
    ['debito automatico', 'Como cadastrar o débito automático'],
  ])('answers "%s" from "%s..."', async (text, question) => {
    expect((await ai.reply(turn(text))).text).toBe(answerTo(question))
  })
})

describe('local provider with an English knowledge base', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.en.yaml')
    ai = createLocalProvider(kb)
  })

  it('routes and answers in English', async () => {
    const reply = await ai.reply(turn('can I pay by pix?'))
    expect(reply.department).toBe('financeiro')
    expect(reply.text).toMatch(/PIX QR code/)
  })

  it('recognises an English greeting, hand-off request and thanks', async () => {
    expect((await ai.reply(turn('good morning!'))).text).toBe(kb.messages.greeting)
    expect((await ai.reply(turn('I want to talk to a human'))).handoff).toBe(true)
    expect((await ai.reply(turn("thanks, that's all"))).resolved).toBe(true)
  })
})
