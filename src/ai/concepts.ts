import { PT_CONCEPTS } from './concepts.pt-BR.js'
import type { Language } from './types.js'

/**
 * What customers of small Brazilian businesses write about, grouped by need: a word names
 * its concepts, so "cadê minha encomenda" meets a department whose five examples only say
 * "pedido" and "rastreio". A knowledge base of five examples per department shares few
 * words with real messages; the concepts are the bridge (decision 0021).
 *
 * Written from general customer-service vocabulary (telecom, retail, health, services),
 * not from any one knowledge base. A concept only helps a department whose own texts use
 * one of its words: the router weighs it by how few departments do.
 */
const EN_CONCEPTS: Record<string, string> = {
  pay: `pay paid paying payment payments bill bills invoice card credit debit installment interest fine due overdue
    charge charged refund money discount coupon receipt`,
  price: 'price prices cost costs much cheap expensive quote fee fees free',
  schedule: 'book booking schedule appointment appointments slot reschedule cancel time date tomorrow week',
  cancel: 'cancel cancellation terminate quit leave suspend pause contract penalty',
  delivery: 'delivery deliver delivered order orders tracking track shipping shipped ship arrive arrived package address',
  exchange: 'exchange return refund defect defective broken damaged warranty wrong',
  broken: 'work working works stopped broken defect error problem issue',
  connection: 'internet wifi signal network connection connect slow down speed router modem fiber',
  product: 'product products color size measures voltage material stock model original brand manual',
  sales: 'plan plans upgrade customer promotion offer bundle coverage install installation buy new',
  account: 'password login account access app user email profile',
}

const CONCEPTS: Record<Language, Record<string, string>> = { 'pt-BR': PT_CONCEPTS, en: EN_CONCEPTS }

/** Folded word → the concepts it names. */
export function conceptLexicon(language: Language): ReadonlyMap<string, string[]> {
  const lexicon = new Map<string, string[]>()
  for (const [concept, words] of Object.entries(CONCEPTS[language])) {
    for (const word of words.trim().split(/\s+/)) lexicon.set(word, [...(lexicon.get(word) ?? []), concept])
  }
  return lexicon
}
