import { CUT_MARKER, MAX_JSON_DEPTH } from '../domain/index.js'
import { MalformedJsonError } from '../errors.js'

export interface DecodedBody {
  value: unknown
  /** Values nested deeper than `MAX_JSON_DEPTH` that were replaced by `CUT_MARKER` before decoding. */
  cut: number
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d

/**
 * A webhook body's bytes → its JSON value. JSON.parse spends ~4 µs per level of nesting and
 * cannot pause, so 3 MB of `[[[[…` would hold the event loop for seconds: every object or
 * array nested deeper than `MAX_JSON_DEPTH` is replaced by `CUT_MARKER` in the text first
 * (one pass over the bytes, aware of strings), and only the rest is parsed. The caller keeps
 * the original bytes when anything was cut. The syntax inside a cut value is not checked.
 */
export function decodeWebhookBody(raw: Buffer): DecodedBody {
  const cuts = deepSpans(raw, MAX_JSON_DEPTH)
  if (cuts === 'unbalanced') throw new MalformedJsonError()
  let text: string
  if (cuts.length === 0) {
    text = raw.toString('utf8')
  } else {
    const marker = Buffer.from(JSON.stringify(CUT_MARKER))
    const pieces: Buffer[] = []
    let from = 0
    for (const [start, end] of cuts) {
      pieces.push(raw.subarray(from, start), marker)
      from = end
    }
    pieces.push(raw.subarray(from))
    text = Buffer.concat(pieces).toString('utf8')
  }
  try {
    return { value: JSON.parse(text), cut: cuts.length }
  } catch (err) {
    throw new MalformedJsonError({ cause: err })
  }
}

/**
 * [start, end) of every object or array that opens at `maxDepth + 1`, outside strings.
 * 'unbalanced' when the brackets cannot close (then the body is not JSON anyway).
 */
function deepSpans(raw: Buffer, maxDepth: number): Array<[number, number]> | 'unbalanced' {
  const spans: Array<[number, number]> = []
  let depth = 0
  let inString = false
  let start = 0
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!
    if (inString) {
      if (byte === BACKSLASH) i++
      else if (byte === QUOTE) inString = false
    } else if (byte === QUOTE) {
      inString = true
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth === maxDepth + 1) start = i
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      if (depth === maxDepth + 1) spans.push([start, i + 1])
      if (--depth < 0) return 'unbalanced'
    }
  }
  return depth === 0 ? spans : 'unbalanced'
}
