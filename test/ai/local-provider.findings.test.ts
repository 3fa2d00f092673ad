import { beforeAll, describe, expect, it } from 'vitest'
import { createLocalProvider, loadKnowledgeBase, parseKnowledgeBase, type AiMessage, type KnowledgeBase } from '../../src/ai/index.js'
import { buildBankBoleto, buildConvenioBoleto, buildPixCode, findingsFromCodes, type ImageFinding } from '../../src/domain/index.js'
import { turn } from './turn.js'

const boleto = buildBankBoleto({ bankCode: '341', dueDate: '2026-12-10', amountCents: 123_456, freeField: '1570000000123456789012345' })
const blank = buildBankBoleto({ bankCode: '001', dueDate: '2026-12-10', freeField: '0000001234567890123456789' })
const convenio = buildConvenioBoleto({ segment: 3, valueType: 8, amountCents: 18_990, companyField: '00010000000000000000000020261' })
const staticPix = buildPixCode({ key: 'financeiro@loja.com.br', merchantName: 'Loja Exemplo', merchantCity: 'Sao Paulo', amountCents: 5_000 })
const dynamicPix = buildPixCode({ url: 'pix.banco.example/qr/v2/cobv/9d36b84f', merchantName: 'Clinica Bem Viver', merchantCity: 'Campinas' })

/** A picture the offline reader decoded, as the turn worker hands it over. */
function picture(text: string, caption?: string): AiMessage {
  const findings: ImageFinding[] = findingsFromCodes([{ format: 'ITF', text }], '2026-11-25')
  return { direction: 'in', text: '[image]', media: { type: 'image', caption, findings } }
}
const at = (iso: string) => () => new Date(iso)

describe('local provider answers what the customer sent', () => {
  let kb: KnowledgeBase
  beforeAll(async () => {
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  const ai = (now = at('2026-11-30T12:00:00Z'), timeZone?: string) => createLocalProvider(kb, { now, timeZone })

  it('answers a photographed boleto with bank, amount, due date and the line to copy', async () => {
    const reply = await ai().reply(turn([], { unanswered: [picture(boleto.barcode)] }))
    expect(reply.text).toContain('Banco: Itaú (341)')
    expect(reply.text).toContain('Valor: R$ 1.234,56')
    expect(reply.text).toContain('Vencimento: 10/12/2026')
    expect(reply.text).toContain(boleto.line)
    expect(reply.text).not.toContain('vencido')
    expect(reply.department).toBe('financeiro')
    expect(reply).toMatchObject({ resolved: false, handoff: false })
  })

  it('says an overdue boleto is overdue, and by how many days', async () => {
    const reply = await ai(at('2026-12-15T12:00:00Z')).reply(turn([], { unanswered: [picture(boleto.barcode)] }))
    expect(reply.text).toContain('vencido há 5 dias:')
  })

  it("counts the day in the business's time zone: 23:00 in São Paulo on the due date is not overdue", async () => {
    const lateEvening = at('2026-12-11T02:00:00Z')
    expect((await ai(lateEvening).reply(turn(boleto.line))).text).toContain('vence hoje')
    expect((await ai(lateEvening, 'UTC').reply(turn(boleto.line))).text).toContain('vencido há 1 dia:')
  })

  it('says a blank amount is open', async () => {
    const reply = await ai().reply(turn([], { unanswered: [picture(blank.barcode)] }))
    expect(reply.text).toContain('Valor: em aberto')
    expect(reply.text).toContain('Banco: Banco do Brasil (001)')
  })

  it('answers a convênio slip without a bank or due-date line', async () => {
    const reply = await ai().reply(turn(convenio.line))
    expect(reply.text).toContain('energia elétrica e gás')
    expect(reply.text).toContain('Valor: R$ 189,90')
    expect(reply.text).not.toContain('Banco:')
    expect(reply.text).not.toContain('Vencimento:')
    expect(reply.text).toContain(convenio.line)
  })

  it('answers a static Pix code with payee, amount and key type', async () => {
    const reply = await ai().reply(turn(`pode conferir esse pix? ${staticPix}`))
    expect(reply.text).toContain('Recebedor: Loja Exemplo (Sao Paulo)')
    expect(reply.text).toContain('Valor: R$ 50,00')
    expect(reply.text).toContain('Chave Pix: e-mail')
    expect(reply.department).toBe('financeiro')
  })

  it('answers a dynamic Pix code with its charge URL and no key', async () => {
    const reply = await ai().reply(turn(dynamicPix))
    expect(reply.text).toContain('Recebedor: Clinica Bem Viver (Campinas)')
    expect(reply.text).toContain('pix.banco.example/qr/v2/cobv/9d36b84f')
    expect(reply.text).not.toContain('Chave Pix')
    expect(reply.text).toContain('Valor: em aberto')
  })

  it('answers a typed line exactly as the photographed boleto', async () => {
    const typed = await ai().reply(turn(boleto.line))
    const photo = await ai().reply(turn([], { unanswered: [picture(boleto.barcode)] }))
    expect(typed.text).toBe(photo.text)
  })

  it('refuses a tampered typed line, naming the field, with no amount', async () => {
    const digits = boleto.lineDigits.split('')
    digits[2] = String((Number(digits[2]) + 1) % 10)
    const reply = await ai().reply(turn(`segue a linha ${digits.join('')}`))
    expect(reply.text).toContain('o dígito verificador do 1º campo (dígitos 1 a 10) não confere')
    expect(reply.text).not.toMatch(/R\$/)
  })

  it('refuses a Pix code whose CRC fails', async () => {
    const reply = await ai().reply(turn(staticPix.replace('Loja Exemplo', 'Loja Exemplx')))
    expect(reply.text).toContain('a verificação no final dele não confere')
    expect(reply.text).not.toMatch(/R\$/)
  })

  it('asks for a better picture when nothing could be read', async () => {
    const unread: AiMessage = { direction: 'in', text: '[image: no payment code found]', media: { type: 'image', findings: [] } }
    const reply = await ai().reply(turn([], { unanswered: [unread] }))
    expect(reply.text).toContain('não consegui ler nenhum código')
  })

  it('answers each different code of a burst once', async () => {
    const reply = await ai().reply(turn([], { unanswered: [picture(boleto.barcode), { direction: 'in', text: boleto.line }, { direction: 'in', text: staticPix }] }))
    expect(reply.text.match(/Linha digitável/g)).toHaveLength(1)
    expect(reply.text).toContain('Recebedor: Loja Exemplo')
  })

  it("uses the knowledge base's wording when it has one", async () => {
    const custom = parseKnowledgeBase(
      JSON.stringify({ ...kb, messages: { ...kb.messages, boletoRead: 'Boleto de {amount}, vence {dueDate}.\nBanco {bank}\nCopie: {line}' } }),
      'custom.json',
    )
    const reply = await createLocalProvider(custom, { now: at('2026-11-30T12:00:00Z') }).reply(turn(boleto.line))
    expect(reply.text).toMatch(/^Boleto de R\$ 1\.234,56, vence 10\/12\/2026\.\nBanco Itaú \(341\)\nCopie: [\d .]{47,}$/)
  })

  it('keeps {days}, the bare number, for a wording of its own', async () => {
    const custom = parseKnowledgeBase(
      JSON.stringify({ ...kb, messages: { ...kb.messages, boletoOverdue: 'Atrasado: {days} dia(s).' } }),
      'custom.json',
    )
    const reply = await createLocalProvider(custom, { now: at('2026-12-15T12:00:00Z') }).reply(turn(boleto.line))
    expect(reply.text).toContain('Atrasado: 5 dia(s).')
  })

  it('answers in English on an English knowledge base', async () => {
    const en = await loadKnowledgeBase('knowledge-base/sample.en.yaml')
    const reply = await createLocalProvider(en, { now: at('2026-12-15T12:00:00Z') }).reply(turn(boleto.line))
    expect(reply.text).toContain('Amount: R$1,234.56')
    expect(reply.text).toContain('5 days overdue')
  })
})
