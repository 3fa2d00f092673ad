/**
 * Text and JSON as PostgreSQL can store them. Whatever a customer, Meta or a model sent
 * passes here before it reaches a column, so one odd character never fails an insert
 * (DESIGN.md, invariant 1).
 */

/**
 * U+0000 is refused by `text` and `jsonb`; a lone surrogate (`\ud800`) is refused by `jsonb`
 * and silently becomes U+FFFD in `text`, so a key read back (a wamid) no longer matches the
 * one written. Strip the first, replace the second with U+FFFD, here, once.
 */
export function storableText(value: string): string {
  const noNul = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed()
}

/**
 * Deepest nesting of a JSON value we keep (the root object is level 1). Meta's deepest part,
 * a contact card inside a message, sits at level 12; past 64 a value is hostile, and walking
 * it (JSON.stringify, PostgreSQL's jsonb parser) recurses once per level.
 */
export const MAX_JSON_DEPTH = 64

/** What replaces a value nested deeper than {@link MAX_JSON_DEPTH}. */
export const CUT_MARKER = `[cut: nested deeper than ${MAX_JSON_DEPTH} levels]`

export interface StorableJson {
  value: unknown
  /** Values nested too deep that were replaced by {@link CUT_MARKER}. */
  cut: number
}

interface Frame {
  from: unknown
  into: unknown[] | Record<string, unknown>
  key: string | number
  depth: number
}

/**
 * A copy of a JSON value as it can be stored: every string and key through
 * {@link storableText}, objects and arrays nested deeper than `maxDepth` replaced by
 * {@link CUT_MARKER}. It walks with its own stack, never recursing, so any depth is safe;
 * a key named `__proto__` stays a plain key. Objects with `toJSON` (dates) are taken as
 * JSON.stringify would take them.
 */
export function storableJson(value: unknown, maxDepth = MAX_JSON_DEPTH): StorableJson {
  const root: Record<string, unknown> = {}
  let cut = 0
  const stack: Frame[] = [{ from: value, into: root, key: 'value', depth: 1 }]
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { into, key, depth } = frame
    const from = toJsonValue(frame.from)
    let copy: unknown = from
    if (typeof from === 'string') {
      copy = storableText(from)
    } else if (from !== null && typeof from === 'object') {
      if (depth > maxDepth) {
        cut++
        copy = CUT_MARKER
      } else if (Array.isArray(from)) {
        const out: unknown[] = new Array<unknown>(from.length)
        from.forEach((item, i) => stack.push({ from: item, into: out, key: i, depth: depth + 1 }))
        copy = out
      } else {
        const out: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(from)) {
          const clean = storableText(k)
          // Defined first, in order, and filled when its frame is popped.
          define(out, clean, undefined)
          stack.push({ from: v, into: out, key: clean, depth: depth + 1 })
        }
        copy = out
      }
    }
    if (Array.isArray(into)) into[key as number] = copy
    else define(into, key as string, copy)
  }
  return { value: root.value, cut }
}

function toJsonValue(v: unknown): unknown {
  return v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function'
    ? (v as { toJSON(): unknown }).toJSON()
    : v
}

/** `out[key] = value`, except that `__proto__` becomes an own key instead of the prototype. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment for every other key: defineProperty costs several times as much, and
  // this runs for every key of every webhook body.
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}
