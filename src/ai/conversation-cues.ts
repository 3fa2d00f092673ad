import type { Language } from './types.js'

/**
 * Rule-based cues the offline provider answers without the knowledge base: a bare greeting,
 * a thanks/closing, an explicit request for a person. Input is the analyzer's folded words
 * (shorthand expanded, accents stripped) and the folded text.
 */
export interface ConversationCues {
  isGreeting(words: string[]): boolean
  /**
   * A thanks or a goodbye ending the conversation. `known` tells the words the knowledge
   * base uses: a thanks may end with one word of no list ("obrigado pela ajuda, Carla", a
   * name), unless the base knows it ("obrigado, boleto" is not a goodbye).
   */
  isClosing(words: string[], folded: string, known?: (word: string) => boolean): boolean
  /** The closing thanks ("obrigado", "valeu"), rather than only saying goodbye ("tchau", "vou pensar"). */
  isThanks(words: string[]): boolean
  isHandoffRequest(words: string[], folded: string): boolean
  /** Only an acknowledgement ("ok", "entendi", "beleza"): no question, no yes to one, no goodbye. */
  isAcknowledgement(words: string[]): boolean
  /** Written in another language than the base's ("hello, I need help with my bill" to a pt-BR base). */
  isOtherLanguage(words: string[]): boolean
}

interface CueWords {
  greetingCore: string[]
  greetingFiller: string[]
  closingCore: string[]
  closingPhrases: RegExp[]
  closingFiller: string[]
  /** Closing words that thank (the rest only say goodbye). */
  thanks: string[]
  /** "It works now" words: with a thanks they close, unless a negation is present. */
  success: string[]
  negation: string[]
  person: string[]
  request: string[]
  handoffPhrases: RegExp[]
  /**
   * Common words of the other language that are not words of this one ("the", "you", "my";
   * not "do", "no", "to", "a", "me", "so", which Portuguese also writes), and this language's
   * own everyday words: a text mostly of the former and almost none of the latter is in the
   * other language.
   */
  foreign: string[]
  native: string[]
  acknowledgement: string[]
}

const list = (s: string) => s.trim().split(/\s+/)

const CUES: Record<Language, CueWords> = {
  'pt-BR': {
    greetingCore: list('oi ola opa bom boa salve alo hey hello hi'),
    greetingFiller: list(`dia tarde noite tudo bem bom boa como vai voce voces esta ta beleza tranquilo joia ai
      alguem e pessoal galera ne com quem falo`),
    closingCore: list('obrigado obrigada obrigadao valeu agradeco grato grata resolveu resolvido resolvida funcionou consegui tchau flw falou'),
    closingPhrases: [
      /\b(?:e|era|foi) so isso\b/,
      /\bso isso mesmo\b/,
      /\bvou pensar\b/,
      /\bate (?:mais|logo|breve|amanha|a proxima)\b/,
      /\bqualquer coisa (?:eu )?(?:te )?(?:chamo|volto|falo|aviso|retorno)\b/,
      /\bdepois (?:eu )?(?:vejo|volto|chamo|falo|retorno)\b/,
    ],
    closingFiller: list(`muito ok okay certo beleza perfeito otimo show top joia tranquilo entendi entao era e so isso
      tudo pela pelo ajuda atencao atendimento deu ja voltou funcionando ta esta agora sim de nada mais ate logo
      abraco abracos bom boa dia tarde noite foi ai aqui me voces voce por enquanto demais mesmo kk kkk rs certinho
      ajudou muitissimo uma vez vou pensar qualquer coisa eu te chamo volto falo aviso retorno depois vejo ate a logo
      breve amanha proxima chamar mano amigo amiga moco moca querido querida`),
    thanks: list('obrigado obrigada obrigadao valeu agradeco grato grata'),
    success: list('voltou funcionou funcionando resolveu resolvido normalizou consegui'),
    negation: list('nao ainda continua continuo mas porem problema'),
    person: list('atendente atendentes humano humana pessoa operador'),
    request: list('falar conversar chamar chama passar passa transferir transfere quero preciso atendimento me'),
    handoffPhrases: [
      /\b(?:atendimento|atendente) humano\b/,
      /\bpessoa de verdade\b/,
      /\bnao quero (?:falar com )?(?:um |uma |o |a )?(?:robo|bot|maquina)\b/,
      /\b(?:falar|conversar) com (?:alguem|uma pessoa|gente)\b/,
    ],
    foreign: list(`i im my you your the and is are was were be been this that it its what how why when where who can
      could would will please thanks thank need want help with have has not dont doesn speak english bill invoice
      payment account service working work doesnt isnt cant pay cancel talk person someone anyone down again since
      yesterday today still just get got from about there`),
    native: list('que de o e com para pra meu minha nao eu voce esta estou tem um uma da na quero preciso obrigado'),
    acknowledgement: list('ok okay okk certo entendi entendido beleza ta bom combinado show joia tranquilo hum hmm aham uhum blz'),
  },
  en: {
    greetingCore: list('hi hello hey hiya howdy good greetings yo'),
    greetingFiller: list('morning afternoon evening there how are you doing is anyone everyone all ok it going'),
    closingCore: list('thanks thank thx cheers solved resolved worked bye goodbye appreciate'),
    closingPhrases: [/\bthat s (?:all|it)\b/],
    closingFiller: list(`you so much very a lot ok okay great perfect that s all it is was for the help now works
      working got fixed awesome cool have nice day bye see ya again`),
    thanks: list('thanks thank thx cheers appreciate'),
    success: list('works working worked fixed solved resolved back'),
    negation: list('not no still but problem doesn don isn'),
    person: list('agent human person representative operator'),
    request: list('talk speak chat transfer connect want need real'),
    handoffPhrases: [
      /\b(?:real|actual|live) person\b/,
      /\bnot a (?:bot|robot)\b/,
      /\b(?:talk|speak|chat) (?:to|with) (?:someone|somebody)\b/,
    ],
    foreign: list(`que nao voce voces meu minha com para pra obrigado obrigada ola estou esta preciso quero tem como qual
      boleto fatura conta cancelar atendente ajuda sem`),
    native: list('the you i my is are and to of it this that what how'),
    acknowledgement: list('ok okay k alright right got it i see understood cool fine hmm'),
  },
}

/** Fewest words of the other language that tell a text is written in it. */
const MIN_FOREIGN_WORDS = 3

/** Longest thanks that may end with a name ("muito obrigada pela ajuda, Carla"). */
const MAX_NAMED_THANKS_WORDS = 6

export function createConversationCues(language: Language): ConversationCues {
  const c = CUES[language]
  const within = (words: string[], ...sets: string[][]) => words.every((w) => sets.some((s) => s.includes(w)))
  const some = (words: string[], set: string[]) => words.some((w) => set.includes(w))

  return {
    isGreeting: (words) => some(words, c.greetingCore) && within(words, c.greetingCore, c.greetingFiller),

    isThanks: (words) => some(words, c.thanks),

    isClosing(words, folded, known = () => false) {
      const core = some(words, c.closingCore) || c.closingPhrases.some((p) => p.test(folded))
      if (!core) return false
      if (within(words, c.closingCore, c.closingFiller)) return true
      // "obrigado pela ajuda, Carla": a short thanks ending with the one word of no list, a name.
      const last = words.at(-1)!
      if (
        some(words, c.thanks) && words.length <= MAX_NAMED_THANKS_WORDS && !folded.includes('?') && !known(last) &&
        within(words.slice(0, -1), c.closingCore, c.closingFiller)
      ) return true
      // "a internet voltou, obrigado!": a thanks plus a success word closes, unless the text
      // also says something is still wrong or asks something.
      return some(words, c.success) && !some(words, c.negation) && !folded.includes('?')
    },

    isAcknowledgement: (words) => words.length > 0 && words.length <= 4 && within(words, c.acknowledgement),

    isOtherLanguage(words) {
      const foreign = words.filter((w) => c.foreign.includes(w)).length
      const native = words.filter((w) => c.native.includes(w)).length
      return foreign >= MIN_FOREIGN_WORDS && foreign * 2 >= words.length && native <= 1
    },

    isHandoffRequest(words, folded) {
      if (c.handoffPhrases.some((p) => p.test(folded))) return true
      if (!some(words, c.person)) return false
      // "atendente" alone, or with a request verb; not "o atendente de ontem disse que...".
      return words.length <= 3 || some(words, c.request)
    },
  }
}
