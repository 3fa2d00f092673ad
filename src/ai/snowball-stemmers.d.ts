/** The package ships no types; this covers the part we use. */
declare module 'snowball-stemmers' {
  export interface Stemmer {
    stem(word: string): string
  }
  const snowball: {
    /** `name` is one of `algorithms()`, e.g. 'portuguese' or 'english'. */
    newStemmer(name: string): Stemmer
    algorithms(): string[]
  }
  export default snowball
}
