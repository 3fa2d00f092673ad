// A page of a PDF that could not be read, as the PDF worker thread reports it (decision
// 0032). Imported by the worker thread and, for its types, by the reader.

/** A page whose text layer or rendering threw; the other pages were still read. */
export interface PageFailure {
  /** 1-based. */
  page: number
  /** The pass that failed on it: its text layer, or its rendering and barcode search. */
  stage: 'text' | 'render'
  /** Why, for the log: see {@link failureReason}. */
  reason: string
}

const IDENTIFIER = /^[A-Za-z_$][\w$]{0,62}$/
/** Node's and napi-rs's constant codes (`ERR_…`, `InvalidArg`): letters, digits and `_` only. */
const CODE = /^[A-Za-z][A-Za-z0-9_]{1,63}$/
/**
 * A message made of words only: no digit (no linha digitável, CPF or phone number), no quote
 * (pdf.js quotes the value it choked on). pdf.js's and Skia's messages are fixed sentences
 * ("Page dictionary kid reference points to wrong type of object.", "Make line dash path
 * effect failed"); anything else is left out, as the log's error serializer leaves out a
 * foreign message.
 */
const PLAIN_WORDS = /^[A-Za-z][A-Za-z ,.:;()-]{0,119}$/

/**
 * The error's class name, code and message, when each is safe to log: never the document's
 * bytes or text. At most ~200 characters.
 */
export function failureReason(err: unknown): string {
  if (!(err instanceof Error)) return `thrown ${typeof err}`
  const name = IDENTIFIER.test(err.name) ? err.name : 'Error'
  const code: unknown = (err as Error & { code?: unknown }).code
  // napi-rs wraps its messages as "[`…`]".
  const message = err.message.replace(/^\[`(.*)`\]$/s, '$1').trim()
  return [
    name,
    typeof code === 'string' && CODE.test(code) ? ` [${code}]` : '',
    PLAIN_WORDS.test(message) ? `: ${message}` : '',
  ].join('')
}

/**
 * An error that says the thread ran short of memory ("Array buffer allocation failed", a wasm
 * memory that cannot grow, a stack overflow): not the page's fault, so it fails the whole
 * task as a crash of the thread does, and the job is retried.
 */
export function isResourceExhaustion(err: unknown): boolean {
  return err instanceof RangeError
}
