import type { Boleto, CodeRefusal, ImageFinding, PixCode, PixKeyType } from '../domain/index.js'
import { fillTemplate, type FindingTexts } from './finding-texts.js'
import type { Language } from './types.js'

/**
 * The offline provider's words for what the customer sent: each verified boleto or Pix code
 * with the figures a customer asks about, each refused code with the part that looks wrong.
 * Figures come only from codes whose check digits or CRC passed (`src/domain`).
 */
export interface FindingReplies {
  finding(f: ImageFinding, today: string): string | undefined
  refusal(r: CodeRefusal): string
}

interface Words {
  locale: string
  /** A count of days with its noun agreeing: "1 dia", "5 dias". */
  days: (n: number) => string
  segments: Record<number, string>
  keyTypes: Record<PixKeyType, string>
  problems: {
    field: (n: number, from: number, to: number) => string
    block: (n: number, from: number, to: number) => string
    lineGeneral: string
    convenioGeneral: string
    barcodeGeneral: string
    length: (digits: number) => string
    notBoleto: string
    pixCrc: string
    pixFormat: string
  }
}

const WORDS: Record<Language, Words> = {
  'pt-BR': {
    locale: 'pt-BR',
    days: (n) => (n === 1 ? '1 dia' : `${n} dias`),
    segments: {
      1: 'prefeitura', 2: 'saneamento', 3: 'energia elétrica e gás', 4: 'telecomunicações', 5: 'órgão do governo',
      6: 'carnê ou convênio de empresa', 7: 'multa de trânsito', 9: 'uso do banco',
    },
    keyTypes: { cpf: 'CPF', cnpj: 'CNPJ', phone: 'telefone', email: 'e-mail', evp: 'chave aleatória', unknown: 'outro tipo' },
    problems: {
      field: (n, from, to) => `o dígito verificador do ${n}º campo (dígitos ${from} a ${to}) não confere.`,
      block: (n, from, to) => `o dígito verificador do ${n}º bloco (dígitos ${from} a ${to}) não confere.`,
      lineGeneral: 'o dígito verificador geral (o 33º dígito) não confere com o resto da linha.',
      convenioGeneral: 'o dígito verificador geral (o 4º dígito) não confere com o resto do código.',
      barcodeGeneral: 'o dígito verificador do código de barras não confere com o resto do código.',
      length: (d) => `ele tem ${d} dígitos, e a linha digitável de um boleto tem 47 (a de contas de consumo, 48; o código de barras, 44).`,
      notBoleto: 'ele não segue o formato de um boleto.',
      pixCrc: 'o código Pix está incompleto ou foi alterado: a verificação no final dele não confere.',
      pixFormat: 'o código Pix está mal formado.',
    },
  },
  en: {
    locale: 'en-US',
    days: (n) => (n === 1 ? '1 day' : `${n} days`),
    segments: {
      1: 'city hall', 2: 'water and sewage', 3: 'power and gas', 4: 'telecom', 5: 'government body',
      6: 'company payment book', 7: 'traffic fine', 9: 'bank use',
    },
    keyTypes: { cpf: 'CPF', cnpj: 'CNPJ', phone: 'phone number', email: 'e-mail', evp: 'random key', unknown: 'other kind' },
    problems: {
      field: (n, from, to) => `the check digit of field ${n} (digits ${from} to ${to}) does not match.`,
      block: (n, from, to) => `the check digit of block ${n} (digits ${from} to ${to}) does not match.`,
      lineGeneral: 'the general check digit (digit 33) does not match the rest of the line.',
      convenioGeneral: 'the general check digit (digit 4) does not match the rest of the code.',
      barcodeGeneral: "the barcode's check digit does not match the rest of the code.",
      length: (d) => `it has ${d} digits; a boleto's digitable line has 47 (48 for utility bills; the barcode, 44).`,
      notBoleto: 'it does not follow the layout of a boleto.',
      pixCrc: 'the Pix code is incomplete or was changed: the check at its end does not match.',
      pixFormat: 'the Pix code is malformed.',
    },
  },
}

/** Digit ranges (1-based) of the line's check-digit fields, as FEBRABAN lays them out. */
const BANK_FIELDS: Record<1 | 2 | 3, [number, number]> = { 1: [1, 10], 2: [11, 21], 3: [22, 32] }

export function createFindingReplies(language: Language, texts: FindingTexts): FindingReplies {
  const w = WORDS[language]
  const money = new Intl.NumberFormat(w.locale, { style: 'currency', currency: 'BRL' })
  // Intl puts a no-break space after "R$"; customers copy the text, keep it a plain space.
  const amount = (cents: number | undefined) => (cents === undefined ? texts.amountOpen : money.format(cents / 100).replace(/\s/g, ' '))
  const date = (iso: string | undefined) => (iso === undefined ? '' : language === 'pt-BR' ? iso.split('-').reverse().join('/') : iso)

  function boleto(b: Boleto, today: string): string {
    if (b.kind === 'convenio') {
      return fillTemplate(texts.convenioRead, {
        segment: w.segments[b.segment] ?? '',
        amount: b.valueType === 6 || b.valueType === 8 ? amount(b.amountCents) : '',
        dueDate: date(b.dueDate),
        line: b.line,
      })
    }
    return fillTemplate(texts.boletoRead, {
      bank: b.bankName === undefined ? b.bankCode : `${b.bankName} (${b.bankCode})`,
      amount: amount(b.amountCents),
      dueDate: date(b.dueDate),
      status: dueStatus(b.dueDate, today),
      line: b.line,
    })
  }

  function dueStatus(dueDate: string | undefined, today: string): string {
    if (dueDate === undefined || dueDate > today) return ''
    if (dueDate === today) return texts.boletoDueToday
    const days = daysBetween(dueDate, today)
    return fillTemplate(texts.boletoOverdue, { days: String(days), daysText: w.days(days) })
  }

  function pix(p: PixCode): string {
    return fillTemplate(texts.pixRead, {
      payee: p.merchantCity === '' ? p.merchantName : `${p.merchantName} (${p.merchantCity})`,
      amount: amount(p.amountCents),
      keyType: p.keyType === undefined ? '' : w.keyTypes[p.keyType],
      url: p.url ?? '',
    })
  }

  function problem(r: CodeRefusal): string {
    if (r.kind === 'pix') return r.reason === 'crc' ? w.problems.pixCrc : w.problems.pixFormat
    if (r.reason === 'length') return w.problems.length(r.digits)
    if (r.reason !== 'check-digit') return w.problems.notBoleto
    const check = r.check ?? 'general'
    if (check.startsWith('field-')) {
      const n = Number(check.slice(6)) as 1 | 2 | 3
      return w.problems.field(n, ...BANK_FIELDS[n])
    }
    if (check.startsWith('block-')) {
      const n = Number(check.slice(6))
      return w.problems.block(n, 12 * (n - 1) + 1, 12 * n)
    }
    if (r.digits === 48) return w.problems.convenioGeneral
    return r.digits === 44 ? w.problems.barcodeGeneral : w.problems.lineGeneral
  }

  return {
    finding(f, today) {
      if (f.kind === 'boleto') return boleto(f.boleto, today)
      if (f.kind === 'pix') return pix(f.pix)
      return undefined
    },
    refusal: (r) => fillTemplate(texts.codeRefused, { problem: problem(r) }),
  }
}

/** Whole days from one ISO date to a later one (both calendar days, no time zone involved). */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}
