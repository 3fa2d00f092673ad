import { renderMessage } from './knowledge-base.js'
import type { Language } from './types.js'

/**
 * Customer-facing texts about what the customer sent (a read boleto or Pix code, a code
 * that fails its checks, a picture with nothing readable). Each is a knowledge-base message
 * (`messages.boletoRead`, ...) a business may reword; these are the defaults. `{name}`
 * placeholders are filled by the reply; a line whose placeholders are all empty is dropped,
 * so one template serves a boleto with and without amount or due date.
 */
export interface FindingTexts {
  /** A bank boleto: {bank} {amount} {dueDate} {status} {line}. */
  boletoRead: string
  /** An arrecadação/convênio slip (utility bills, taxes): {segment} {amount} {dueDate} {line}. */
  convenioRead: string
  /** A Pix code: {payee} (name and city) {amount} {keyType} {url} (dynamic codes). */
  pixRead: string
  /** {status} of a boleto past its due date: {daysText} ("5 dias", "1 dia"), or {days} (the number alone). */
  boletoOverdue: string
  /** {status} of a boleto due today. */
  boletoDueToday: string
  /** {amount} of a code with a blank amount. */
  amountOpen: string
  /** A typed code that fails its checks: {problem}. */
  codeRefused: string
  /** A picture (or PDF) in which no boleto or Pix code could be read. */
  unreadableImage: string
  /** A PDF in which no boleto line or Pix code could be read (a scan, or no boleto). */
  unreadableDocument: string
  /** A turn of voice notes that could not be transcribed (AUDIO_FALLBACK=ask). */
  audioUnheard: string
}

export const FINDING_TEXT_KEYS = [
  'boletoRead', 'convenioRead', 'pixRead', 'boletoOverdue', 'boletoDueToday', 'amountOpen', 'codeRefused', 'unreadableImage',
  'unreadableDocument', 'audioUnheard',
] as const satisfies ReadonlyArray<keyof FindingTexts>

export const DEFAULT_FINDING_TEXTS: Record<Language, FindingTexts> = {
  'pt-BR': {
    boletoRead: `Li o boleto que você enviou ✅
Banco: {bank}
Valor: {amount}
Vencimento: {dueDate}
{status}
Linha digitável para copiar:
{line}`,
    convenioRead: `Li a conta que você enviou ✅ ({segment})
Valor: {amount}
Vencimento: {dueDate}
Código para copiar:
{line}`,
    pixRead: `Li o código Pix ✅
Recebedor: {payee}
Valor: {amount}
Chave Pix: {keyType}
Cobrança com QR dinâmico, gerada em: {url}`,
    boletoOverdue: '⚠️ Este boleto está vencido há {daysText}: o pagamento pode ter multa e juros, ou pode ser preciso pedir uma segunda via.',
    boletoDueToday: '⏰ Este boleto vence hoje.',
    amountOpen: 'em aberto (você informa o valor na hora de pagar)',
    codeRefused: 'Confira o código que você enviou: {problem} Não li nenhum valor dele. Pode copiar de novo ou mandar uma foto do boleto?',
    unreadableImage:
      'Recebi sua imagem, mas não consegui ler nenhum código de boleto ou Pix nela. 😕 Pode mandar uma foto mais nítida, de perto e sem reflexo, ou digitar a linha digitável?',
    unreadableDocument:
      'Recebi seu PDF, mas não encontrei nele a linha digitável de um boleto nem um código Pix. 😕 Pode copiar e colar a linha digitável aqui?',
    audioUnheard: 'Recebi seu áudio, mas por aqui não consigo ouvir mensagens de voz. 🙏 Pode escrever o que você precisa?',
  },
  en: {
    boletoRead: `I read the boleto you sent ✅
Bank: {bank}
Amount: {amount}
Due date: {dueDate}
{status}
Digitable line to copy:
{line}`,
    convenioRead: `I read the bill you sent ✅ ({segment})
Amount: {amount}
Due date: {dueDate}
Code to copy:
{line}`,
    pixRead: `I read the Pix code ✅
Payee: {payee}
Amount: {amount}
Pix key: {keyType}
Dynamic QR charge, created at: {url}`,
    boletoOverdue: '⚠️ This boleto is {daysText} overdue: paying it may add a fine and interest, or you may need a new copy.',
    boletoDueToday: '⏰ This boleto is due today.',
    amountOpen: 'open (you enter the amount when paying)',
    codeRefused: 'Please check the code you sent: {problem} I did not read any amount from it. Could you copy it again or send a photo of the boleto?',
    unreadableImage:
      'I got your picture, but could not read a boleto or Pix code in it. 😕 Could you send a sharper photo, close up and without glare, or type the digitable line?',
    unreadableDocument: 'I got your PDF, but found no boleto digitable line or Pix code in it. 😕 Could you copy and paste the digitable line here?',
    audioUnheard: 'I got your voice message, but I cannot listen to audio here. 🙏 Could you type what you need?',
  },
}

/**
 * Fills `{name}` placeholders. A line with placeholders that all came out empty is dropped
 * ("Vencimento: {dueDate}" for a boleto without one); unknown placeholders are left as typed.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  const filled = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? '']))
  return template
    .split('\n')
    .flatMap((line) => {
      const names = [...line.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!).filter((n) => Object.hasOwn(filled, n))
      if (names.length > 0 && names.every((n) => filled[n] === '')) return []
      // The substitution itself is the knowledge base's one rule for placeholders.
      return [renderMessage(line, filled)]
    })
    .join('\n')
    .trim()
}
