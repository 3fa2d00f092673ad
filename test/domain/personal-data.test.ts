import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findPersonalData, type PersonalDataKind } from '../../src/domain/index.js'

const found = (text: string, names?: string[]) =>
  findPersonalData(text, { names }).map((s) => [s.kind, text.slice(s.start, s.end)] as [PersonalDataKind, string])

describe('personal data in a proposal', () => {
  it.each<[string, PersonalDataKind, string]>([
    ['meu cpf é 123.456.789-09, pode ver?', 'cpf', '123.456.789-09'],
    ['cpf 52998224725', 'cpf', '52998224725'],
    ['CNPJ 12.345.678/0001-95 da loja', 'cnpj', '12.345.678/0001-95'],
    ['cnpj 11222333000181', 'cnpj', '11222333000181'],
    ['me liga no (11) 91234-5678 amanhã', 'phone', '(11) 91234-5678'],
    ['whats +55 11 91234-5678', 'phone', '+55 11 91234-5678'],
    ['fixo 3333-4444', 'phone', '3333-4444'],
    ['manda pra maria.silva+boletos@exemplo.com.br por favor', 'email', 'maria.silva+boletos@exemplo.com.br'],
    ['linha 23793.38128 60082.677139 82000.063305 9 84410000012345 ok', 'linha-digitavel', '23793.38128 60082.677139 82000.063305 9 84410000012345'],
    ['a linha é 23793381286008267713982000063305984410000012345', 'linha-digitavel', '23793381286008267713982000063305984410000012345'],
  ])('flags %j as %s', (text, kind, value) => {
    expect(found(text)).toEqual([[kind, value]])
  })

  it.each([
    'tenho 2 boletos em aberto',
    'paguei R$ 1.234,56 ontem',
    'venceu em 30/11/2026',
    'chego às 9h da manhã',
    'plano de 500 megas por 99,90',
    'protocolo 2026',
    'vocês entregam em Niterói?',
  ])('leaves %j alone', (text) => {
    expect(found(text)).toEqual([])
  })

  it('flags the customer name, accents and case aside, as whole words only', () => {
    expect(found('Oi, aqui é a joao conceicao', ['João da Conceição'])).toEqual([
      ['name', 'joao'],
      ['name', 'conceicao'],
    ])
    expect(found('o joaozinho ligou', ['João'])).toEqual([])
    expect(found('fala com a Ana', ['Ana'])).toEqual([['name', 'Ana']])
  })

  it('ignores name particles and words under three letters', () => {
    expect(found('da loja do centro', ['Maria da Silva', 'Jo'])).toEqual([])
  })

  it('finds several kinds in one text, ordered by position', () => {
    const spans = findPersonalData('cpf 123.456.789-09 e-mail a@b.com tel 11 98765-4321')
    expect(spans.map((s) => s.kind)).toEqual(['cpf', 'email', 'phone'])
  })

  it('returns spans inside the text, ordered and never overlapping, for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }), (text, names) => {
        const spans = findPersonalData(text, { names })
        let last = 0
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(last)
          expect(s.end).toBeGreaterThan(s.start)
          expect(s.end).toBeLessThanOrEqual(text.length)
          last = s.end
        }
      }),
    )
  })

  it('finds a CPF wherever it is written in ordinary text', () => {
    const words = fc.array(fc.constantFrom('oi', 'meu', 'boleto', 'pagamento', 'obrigado', 'número'), { maxLength: 6 }).map((w) => w.join(' '))
    fc.assert(
      fc.property(words, words, (before, after) => {
        const text = `${before} 123.456.789-09 ${after}`
        expect(found(text)).toContainEqual(['cpf', '123.456.789-09'])
      }),
    )
  })
})
