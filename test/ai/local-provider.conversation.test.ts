import { beforeAll, describe, expect, it } from 'vitest'
import { loadKnowledgeBase, parseKnowledgeBase, type KnowledgeBase } from '../../src/ai/knowledge-base.js'
import { createLocalProvider } from '../../src/ai/local-provider.js'
import type { AiProvider } from '../../src/ai/types.js'
import { AiProviderError } from '../../src/errors.js'
import { turn } from './turn.js'

describe('local provider conversation cues', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })

  it.each(['oi', 'bom dia', 'olá, tudo bem?', 'Oiii boa tarde!!', 'boa noite, td bem?'])(
    'answers the pure greeting "%s" with the greeting message, not resolved',
    async (text) => {
      const reply = await ai.reply(turn(text))
      expect(reply).toMatchObject({ text: kb.messages.greeting, resolved: false, handoff: false })
    },
  )

  it('keeps the current department on a greeting', async () => {
    expect((await ai.reply(turn('oi', { currentDepartment: 'financeiro' }))).department).toBe('financeiro')
  })

  it.each(['quero falar com um atendente', 'humano', 'ATENDENTE', 'me passa pra uma pessoa de verdade', 'não quero falar com robô'])(
    'hands off on the explicit request "%s"',
    async (text) => {
      const reply = await ai.reply(turn(text))
      expect(reply).toMatchObject({ text: kb.messages.handoff, handoff: true, resolved: false })
    },
  )

  it('keeps the department of a hand-off request that names the subject', async () => {
    const reply = await ai.reply(turn('quero falar com um atendente sobre a segunda via do boleto'))
    expect(reply).toMatchObject({ handoff: true, department: 'financeiro' })
  })

  it('does not hand off when a message merely mentions an attendant', async () => {
    const reply = await ai.reply(turn('o atendente de ontem disse que a visita técnica era hoje'))
    expect(reply.handoff).toBe(false)
  })

  it.each(['obrigado, resolveu', 'valeu', 'obrigado, era só isso', 'vlw, a internet voltou', 'Obrigada pela ajuda! 😊'])(
    'marks the closing "%s" as resolved',
    async (text) => {
      const reply = await ai.reply(turn(text, { currentDepartment: 'suporte' }))
      expect(reply).toMatchObject({ resolved: true, handoff: false, text: kb.messages.closing, department: 'suporte' })
    },
  )

  it.each(['obrigado pela ajuda carla', 'valeu João!', 'obg moça', 'muito obrigada, Bruno'])(
    'takes the thanks with a name "%s" for a closing',
    async (text) => {
      const reply = await ai.reply(turn(text, { currentDepartment: 'suporte' }))
      expect(reply).toMatchObject({ resolved: true, handoff: false, text: kb.messages.closing })
    },
  )

  it.each(['tchau', 'era só isso', 'beleza, vou pensar', 'até mais', 'ok, qualquer coisa eu volto a chamar', 'flw'])(
    'says goodbye, without a "por nada", to "%s"',
    async (text) => {
      const reply = await ai.reply(turn(text, { currentDepartment: 'comercial' }))
      expect(reply).toMatchObject({ resolved: true, handoff: false, department: 'comercial' })
      expect(reply.text).toBe('Até mais! Se precisar de alguma coisa, é só chamar por aqui. 😊')
    },
  )

  it("uses the knowledge base's own goodbye when it has one", async () => {
    const custom = parseKnowledgeBase(JSON.stringify({ ...kb, messages: { ...kb.messages, farewell: 'Tchau! 👋' } }), 'custom.json')
    expect((await createLocalProvider(custom).reply(turn('tchau'))).text).toBe('Tchau! 👋')
  })

  it.each(['obrigado mas ainda ta lenta', 'não resolveu', 'valeu, e como pago com pix?', 'obrigado, e o boleto', 'valeu, vou pensar no plano de 1 giga'])(
    'does not mark "%s" as resolved',
    async (text) => {
      expect((await ai.reply(turn(text))).resolved).toBe(false)
    },
  )

  it.each(['asdkjh qwe zxcv', 'kkkkkkk'])('asks with the department menu on words that tell no department ("%s")', async (text) => {
    const reply = await ai.reply(turn(text))
    expect(reply).toMatchObject({ text: kb.messages.menuBody, department: undefined, resolved: false, handoff: false })
    expect(reply.menu).toBeDefined()
  })

  it.each(['🙂', '', '???'])('falls back honestly on "%s" (no words to ask about)', async (text) => {
    const reply = await ai.reply(turn(text))
    expect(reply).toMatchObject({ text: kb.messages.fallback, department: undefined, resolved: false, handoff: false })
    expect(reply.confidence).toBeLessThan(0.3)
  })

  it('keeps the current department when the text does not tell one', async () => {
    const reply = await ai.reply(turn('asdkjh qwe', { currentDepartment: 'comercial' }))
    expect(reply).toMatchObject({ text: kb.messages.fallback, department: 'comercial' })
  })

  it('hands off instead of falling back twice in a row', async () => {
    const history = [
      { direction: 'in' as const, text: 'xpto' },
      { direction: 'out' as const, text: kb.messages.fallback },
    ]
    const reply = await ai.reply(turn('zzz qqq', { history }))
    expect(reply).toMatchObject({ text: kb.messages.handoff, handoff: true })
  })

  it('answers a burst as one text: a greeting plus the problem gets the answer', async () => {
    const reply = await ai.reply(turn(['oi', 'minha internet caiu', 'ta sem conexão desde ontem']))
    expect(reply.department).toBe('suporte')
    expect(reply.text).toBe(kb.faq.find((f) => f.question.startsWith('Estou sem internet'))?.answer)
  })

  it('answers the question that follows a thanks in the same burst, not resolved', async () => {
    const reply = await ai.reply(turn(['obrigado', 'e como pago com pix?']))
    expect(reply).toMatchObject({ department: 'financeiro', resolved: false })
    expect(reply.text).toContain('PIX')
  })

  it('reports more confidence for a clear question than for a vague one', async () => {
    const clear = await ai.reply(turn('qual a chave pix pra pagar a fatura?'))
    const vague = await ai.reply(turn('internet'))
    expect(clear.confidence).toBeGreaterThan(0.6)
    expect(vague.confidence).toBeLessThan(clear.confidence)
  })

  it('rejects a turn whose signal is already aborted', async () => {
    const err = await ai.reply(turn('oi', { signal: AbortSignal.abort() })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AiProviderError)
  })
})

describe('local provider never loops the customer with the same answer', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })
  const slow = () => kb.faq.find((f) => f.question.startsWith('Minha internet está lenta'))!.answer
  const pix = () => kb.faq.find((f) => f.question.startsWith('Posso pagar a fatura com PIX'))!.answer

  it('hands off when the customer says the answer did not help and it would come again', async () => {
    const history = [
      { direction: 'in' as const, text: 'minha internet ta mt lenta desde ontem 😡' },
      { direction: 'out' as const, text: slow() },
    ]
    const reply = await ai.reply(turn('ja fiz isso e continua lenta', { history, currentDepartment: 'suporte' }))
    expect(reply).toMatchObject({ text: kb.messages.handoff, handoff: true, resolved: false, department: 'suporte', source: 'fallback' })
  })

  it('hands off on the same question sent again, instead of the same answer', async () => {
    const history = [
      { direction: 'in' as const, text: 'minha internet ta lenta' },
      { direction: 'out' as const, text: slow() },
    ]
    const reply = await ai.reply(turn('minha internet ta lenta', { history, currentDepartment: 'suporte' }))
    expect(reply).toMatchObject({ text: kb.messages.handoff, handoff: true })
  })

  it('does not repeat an answer given a few messages before, a thanks and a survey in between', async () => {
    const history = [
      { direction: 'in' as const, text: 'e da pra pagar no pix?' },
      { direction: 'out' as const, text: pix() },
      { direction: 'in' as const, text: 'valeu' },
      { direction: 'out' as const, text: kb.messages.closing! },
      { direction: 'out' as const, text: 'Qual nota de 0 a 10 você dá para o seu atendimento de hoje?' },
    ]
    const reply = await ai.reply(turn('qual a chave pix?', { history, currentDepartment: 'financeiro' }))
    expect(reply).toMatchObject({ text: kb.messages.handoff, handoff: true, department: 'financeiro' })
  })

  it('still answers a new question of the same department, and an old answer asked again later', async () => {
    const history = [
      { direction: 'in' as const, text: 'minha internet ta lenta' },
      { direction: 'out' as const, text: slow() },
      ...['a', 'b', 'c'].flatMap((t) => [{ direction: 'in' as const, text: t }, { direction: 'out' as const, text: `resposta ${t}` }]),
    ]
    expect((await ai.reply(turn('como troco a senha do wifi?', { history: history.slice(0, 2) }))).handoff).toBe(false)
    expect(await ai.reply(turn('minha internet ta lenta', { history }))).toMatchObject({ text: slow(), handoff: false })
  })
})

describe('local provider and a customer writing in another language', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })

  it.each(['hello, I need help with my internet bill', 'do you speak english?', 'my internet is not working', 'I want to cancel my plan', 'can I talk to a person?'])(
    'hands "%s" to a person, saying so in English and in Portuguese, instead of a Portuguese FAQ answer',
    async (text) => {
      const reply = await ai.reply(turn(text, { currentDepartment: 'financeiro' }))
      expect(reply).toMatchObject({ handoff: true, resolved: false, department: 'financeiro', source: 'fallback' })
      expect(reply.text).toContain('I can only reply in Portuguese')
      expect(reply.text).toContain('só consigo responder em português')
    },
  )

  it.each(['meu wifi não ta working', 'quero o link do boleto please', 'internet off desde ontem', 'show, top, ok'])(
    'still answers Portuguese with English words in it ("%s")',
    async (text) => {
      expect((await ai.reply(turn(text))).text).not.toContain('I can only reply in Portuguese')
    },
  )

  it('says it in the words of the knowledge base when it has them', async () => {
    const custom = parseKnowledgeBase(JSON.stringify({ ...kb, messages: { ...kb.messages, otherLanguage: 'Only Portuguese, sorry!' } }), 'custom.json')
    expect((await createLocalProvider(custom).reply(turn('my internet is not working')))).toMatchObject({ text: 'Only Portuguese, sorry!', handoff: true })
  })

  it('hands a Portuguese message to a person on an English base', async () => {
    const en = createLocalProvider(await loadKnowledgeBase('knowledge-base/sample.en.yaml'))
    const reply = await en.reply(turn('quero cancelar minha conta, como faço?'))
    expect(reply).toMatchObject({ handoff: true })
    expect(reply.text).toContain('só consigo responder em inglês')
  })
})

describe('local provider and a bare "ok"', () => {
  let kb: KnowledgeBase
  let ai: AiProvider
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
    ai = createLocalProvider(kb)
  })
  const answered = (question: string) => [
    { direction: 'in' as const, text: 'quero saber' },
    { direction: 'out' as const, text: kb.faq.find((f) => f.question.startsWith(question))!.answer },
  ]

  it.each(['ok', 'Ok!', 'entendi', 'beleza', 'tá bom', 'blz', 'certo 👍'])('acknowledges "%s" after an answer, instead of "não entendi"', async (text) => {
    const reply = await ai.reply(turn(text, { history: answered('Tem juros e multa'), currentDepartment: 'financeiro' }))
    expect(reply).toMatchObject({ text: 'Combinado! Se precisar de mais alguma coisa, é só me dizer.', department: 'financeiro', resolved: false, handoff: false })
  })

  it('leaves "ok" to a question the bot asked, and to the greeting, as before', async () => {
    const asked = await ai.reply(turn('ok', { history: answered('Quais são os planos') }))
    expect(asked.text).not.toContain('Combinado!')
    const greeted = await ai.reply(turn('ok', { history: [{ direction: 'in', text: 'oi' }, { direction: 'out', text: kb.messages.greeting }] }))
    expect(greeted.text).not.toContain('Combinado!')
  })
})
