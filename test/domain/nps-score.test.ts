import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  classifySurveyAnswer,
  isSurveyOptOut,
  netPromoterScore,
  npsCategory,
  parseNpsScore,
  tallyScores,
} from '../../src/domain/index.js'

const SCORES: Array<[string, number]> = [
  ['9', 9],
  ['nota 8', 8],
  ['dou 10', 10],
  ['dez', 10],
  ['7/10', 7],
  ['acho que 6', 6],
  ['0', 0],
  ['10!!!', 10],
  ['Nota: 9.', 9],
  ['nota 10 pra vocês', 10],
  ['10 com certeza', 10],
  ['eu daria um 7', 7],
  ['dou um 10', 10],
  ['8 de 10', 8],
  ['Nove', 9],
  ['TRÊS', 3],
  ['5 😐', 5],
  ['9️⃣', 9],
  ['🔟', 10],
  ['10, muito bom o atendimento', 10],
  ['minha nota é 9', 9],
  ['9 out of 10', 9],
  ["I'd give it a 9", 9],
  ['ten', 10],
  ['  4  ', 4],
  ['um', 1],
]

const JUNK = [
  '9h da manhã',
  '9 h',
  '2 boletos',
  'tenho 10 anos de cliente',
  '11987654321',
  '(11) 98765-4321',
  '98765-4321',
  '10/12/2026',
  '10/12',
  '12:30',
  'às 10:30',
  'R$ 10',
  'R$10,00',
  '10 reais',
  '10,5',
  '9.5',
  '10%',
  '11',
  '100',
  '-1',
  'quero 2 boletos',
  'meu plano de 10 mega não funciona',
  'não dou 10',
  'entre 8 e 9',
  '8 ou 9',
  'qual o valor?',
  'oi',
  '',
  '10 dias sem internet',
  'paguei 3 parcelas',
  'boleto vence dia 10',
]

describe('parseNpsScore', () => {
  it.each(SCORES)('reads %j as %i', (text, n) => {
    expect(parseNpsScore(text)).toBe(n)
  })

  it.each(JUNK)('never takes %j for a score', (text) => {
    expect(parseNpsScore(text)).toBeNull()
  })

  it('never throws, and answers null or an integer from 0 to 10', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (t) => {
        const s = parseNpsScore(t)
        return s === null || (Number.isInteger(s) && s >= 0 && s <= 10)
      }),
    )
  })

  const score = fc.integer({ min: 0, max: 10 })
  const around = fc.constantFrom('', 'nota ', 'dou ', 'acho que ', 'minha nota é ', 'eu daria ', 'Nota: ')
  const after = fc.constantFrom('', '!', '.', ' 😊', ' com certeza', ', obrigado', '/10', ' de 10')

  it('reads any score in any usual phrasing', () => {
    fc.assert(fc.property(score, around, after, (n, before, end) => parseNpsScore(`${before}${n}${end}`) === n))
  })

  it('a number with a unit or a thing counted is a quantity, never a score', () => {
    const unit = fc.constantFrom('h', 'hs', 'horas', 'anos', 'boletos', 'reais', 'dias', 'meses', 'vezes', 'mega', 'minutos', 'parcelas', 'GB')
    fc.assert(fc.property(around, score, unit, (before, n, u) => parseNpsScore(`${before}${n} ${u}`) === null && parseNpsScore(`${before}${n}${u}`) === null))
  })

  it('a message holding three digits in a row (phone, protocol, year, amount) is never a score', () => {
    const digits = fc.stringMatching(/^[0-9]{3,13}$/)
    fc.assert(fc.property(around, digits, after, (before, d, end) => parseNpsScore(`${before}${d}${end}`) === null))
  })

  it('dates, times and amounts are never scores', () => {
    const day = fc.integer({ min: 1, max: 31 })
    const month = fc.integer({ min: 1, max: 12 })
    const minute = fc.integer({ min: 0, max: 59 }).map((m) => String(m).padStart(2, '0'))
    fc.assert(
      fc.property(day, month, score, minute, (d, m, n, mm) =>
        [`${d}/${m}/2026`, `${n}:${mm}`, `${n}h${mm}`, `R$ ${n}`, `R$${n},${mm}`, `${n},${mm}`].every((t) => parseNpsScore(t) === null),
      ),
    )
  })

  it('two different numbers are no single score', () => {
    fc.assert(fc.property(score, score, (a, b) => a === b || parseNpsScore(`${a} ${b}`) === null))
  })
})

describe('survey opt-out', () => {
  it.each(['parar', 'Parar.', 'PARE', 'não quero pesquisa', 'Não quero mais pesquisas, obrigado', 'para de mandar pesquisa', 'stop', 'não me mande mais pesquisas'])(
    '%j opts out',
    (t) => expect(isSurveyOptOut(t)).toBe(true),
  )

  it.each(['meu wifi vai parar?', 'a internet parou', 'para', '9', 'quero pesquisar planos', 'não quero cancelar'])('%j does not opt out', (t) => {
    expect(isSurveyOptOut(t)).toBe(false)
  })

  it('no score is an opt-out, and no opt-out a score', () => {
    fc.assert(fc.property(fc.string(), (t) => !(isSurveyOptOut(t) && parseNpsScore(t) !== null)))
  })
})

describe('classifySurveyAnswer', () => {
  it('waiting for the score, takes a score and sends anything else back to normal handling', () => {
    expect(classifySurveyAnswer('nota 6', 'score')).toEqual({ kind: 'score', score: 6, category: 'detractor' })
    expect(classifySurveyAnswer('9h da manhã abre?', 'score')).toEqual({ kind: 'other' })
    expect(classifySurveyAnswer('parar', 'score')).toEqual({ kind: 'opt_out' })
  })

  it.each(['péssimo', 'Muito bom!', 'ótimo atendimento', 'mais ou menos', 'ruim 👎', 'excelente, obrigado'])(
    'waiting for the score, tells the rating in words "%s" apart, so the number can be asked for',
    (text) => {
      expect(classifySurveyAnswer(text, 'score')).toEqual({ kind: 'words' })
    },
  )

  it.each(['ok', 'obrigado', 'bom dia', 'boa tarde, tudo bem?', 'péssimo o boleto veio errado', 'a internet caiu de novo'])(
    'waiting for the score, leaves "%s" to normal handling',
    (text) => {
      expect(classifySurveyAnswer(text, 'score')).toEqual({ kind: 'other' })
    },
  )

  it('waiting for the reason, takes the text as the comment unless it asks something', () => {
    expect(classifySurveyAnswer('  a internet voltou rápido ', 'reason')).toEqual({ kind: 'comment', text: 'a internet voltou rápido' })
    expect(classifySurveyAnswer('e o boleto de dezembro?', 'reason')).toEqual({ kind: 'other' })
    expect(classifySurveyAnswer('   ', 'reason')).toEqual({ kind: 'other' })
  })
})

describe('NPS arithmetic', () => {
  it('categorises 9–10 as promoters, 7–8 passives, 0–6 detractors', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter'])
    expect(() => npsCategory(11)).toThrow(RangeError)
    expect(() => npsCategory(8.5)).toThrow(RangeError)
  })

  it('is null with no responses, and an integer from −100 to 100 otherwise', () => {
    expect(netPromoterScore({ promoters: 0, passives: 0, detractors: 0 })).toBeNull()
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 500 }), (scores) => {
        const t = tallyScores(scores)
        const nps = netPromoterScore(t)!
        const exact = ((t.promoters - t.detractors) * 100) / t.responses
        return Number.isInteger(nps) && nps >= -100 && nps <= 100 && Math.abs(nps - exact) <= 0.5 && t.responses === scores.length
      }),
    )
  })

  it('rounds halves away from zero, alike for both signs', () => {
    expect(netPromoterScore({ promoters: 1, passives: 7, detractors: 0 })).toBe(13)
    expect(netPromoterScore({ promoters: 0, passives: 7, detractors: 1 })).toBe(-13)
    expect(netPromoterScore({ promoters: 1, passives: 0, detractors: 1 })).toBe(0)
    expect(Object.is(netPromoterScore({ promoters: 0, passives: 3, detractors: 0 }), 0)).toBe(true)
  })
})
