import snowball from 'snowball-stemmers'
import type { Language } from './types.js'

/**
 * Text analysis for the offline provider: lowercase, accent folding, WhatsApp shorthand,
 * stop words and snowball stems. Pure and deterministic.
 */
export interface Analyzer {
  readonly language: Language
  /** Folded, normalized words, stop words kept (for rule matching). */
  words(text: string): string[]
  /** A folded word → its stem, or null when it is a stop word (MiniSearch's `processTerm`). */
  term(word: string): string | null
  /** Content stems of a text: `words` then `term`, stop words dropped. */
  terms(text: string): string[]
}

/** Lowercase and strip accents: "Conexão" → "conexao". NFKD also turns "2ª" into "2a". */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
}

interface LanguageResources {
  stemmer: string
  /** Rewrites on folded text, before splitting into words. */
  phrases: Array<[RegExp, string]>
  /** Shorthand → the word it stands for. */
  shorthand: Record<string, string>
  stopWords: ReadonlySet<string>
}

const PT_STOP_WORDS = `a o as os um uma uns umas de do da dos das no na nos nas num numa em e ou que
  pra pro pras pros para por pelo pela pelos pelas com ao aos se nao sim me mim meu minha meus minhas
  seu sua seus suas eu voce voces ele ela eles elas isso esse essa este esta isto aquilo aqui ai la
  ja ta to estou estar esta estao tava e foi ser sou era tem ter tenho tinha como faco fazer qual
  quais quero queria gostaria preciso precisava pode posso poderia consigo favor oi ola opa bom boa
  tarde noite tudo bem muito mais so tambem entao mas ainda nem todo toda hoje agora tipo ate sobre
  vou vai la cade quando onde porque alguem algum alguma obrigado obrigada valeu dessa desse deste
  desta nessa nesse neste nesta lhe sei saber fala olha duvida duvidas ajuda ajudar informacao informacoes
  pergunta perguntar assunto coisa coisas questao falar conversar`
const EN_STOP_WORDS = `a an the of to in on at for from by with and or but if is are was were be been
  am i me my you your we our they it its this that these those do does did can could would should
  will please hi hello hey thanks thank there here what which how when where why who just so very
  have has had not no yes any some all get got want need would like im id ive`

const RESOURCES: Record<Language, LanguageResources> = {
  'pt-BR': {
    stemmer: 'portuguese',
    phrases: [
      [/\bwi\s*-?\s*fi\b/g, 'wifi'],
      [/\b2\s*a?\s+via\b/g, 'segunda via'],
      [/\b(?:e-?mail)\b/g, 'email'],
      // Idioms for ending a service, which name no cancelling word.
      // ("dar baixa no contrato"; a payment that "dá baixa" is not one).
      [/\bd(?:ar|ou|ei)\s+(?:a\s+)?baixa\s+(?=n[oa]s?\b|d[oa]s?\b|em\b)/g, 'cancelar '],
      [/\bnao\s+quero\s+mais\b/g, 'desistir'],
    ],
    shorthand: {
      vc: 'voce', vcs: 'voces', q: 'que', pq: 'porque', n: 'nao', tb: 'tambem', tbm: 'tambem',
      hj: 'hoje', pfv: 'favor', pf: 'favor', pls: 'favor', net: 'internet', td: 'tudo', mt: 'muito',
      mto: 'muito', obg: 'obrigado', obgd: 'obrigado', brigado: 'obrigado', brigada: 'obrigada',
      vlw: 'valeu', blz: 'beleza', msg: 'mensagem', cel: 'celular', oii: 'oi', oie: 'oi',
      eai: 'oi', eae: 'oi', megas: 'mega', gigas: 'giga', qnd: 'quando', qdo: 'quando', qnt: 'quanto',
      qto: 'quanto', qro: 'quero', msm: 'mesmo', cmg: 'comigo', dps: 'depois', agr: 'agora', tmb: 'tambem',
      nd: 'nada', pfvr: 'favor', vlr: 'valor', pgto: 'pagamento', pgt: 'pagamento', tel: 'telefone',
      hrs: 'horas', hr: 'hora', qm: 'quem', oq: 'que', ngm: 'ninguem', vdd: 'verdade', p: 'para',
    },
    stopWords: new Set(PT_STOP_WORDS.split(/\s+/)),
  },
  en: {
    stemmer: 'english',
    phrases: [[/\bwi\s*-?\s*fi\b/g, 'wifi']],
    shorthand: { u: 'you', ur: 'your', pls: 'please', plz: 'please', thx: 'thanks', ty: 'thanks', net: 'internet' },
    stopWords: new Set(EN_STOP_WORDS.split(/\s+/)),
  },
}

export function createAnalyzer(language: Language): Analyzer {
  const res = RESOURCES[language]
  const stemmer = snowball.newStemmer(res.stemmer)
  const stems = new Map<string, string>()

  const words = (text: string): string[] => {
    let folded = foldText(text)
    for (const [pattern, replacement] of res.phrases) folded = folded.replace(pattern, replacement)
    return folded
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w !== '')
      .map((w) => {
        const plain = collapseRepeats(w)
        return res.shorthand[plain] ?? plain
      })
  }

  const term = (word: string): string | null => {
    if (res.stopWords.has(word)) return null
    let stem = stems.get(word)
    if (stem === undefined) {
      stem = stemmer.stem(word)
      // Bounded: customer text is unbounded, and this cache lives as long as the provider.
      if (stems.size < 50_000) stems.set(word, stem)
    }
    return stem
  }

  const terms = (text: string): string[] => words(text).flatMap((w) => term(w) ?? [])

  return { language, words, term, terms }
}

/** WhatsApp emphasis ("lentaaaa", "oiii") → the plain word; real double letters ("rr", "ss") stay. */
function collapseRepeats(word: string): string {
  return word.replace(/(\p{L})\1{2,}/gu, '$1')
}
