/** WhatsApp's limit for one text body. */
export const MAX_TEXT_CHARS = 4096

/**
 * Splits a reply into parts of at most `maxChars` UTF-16 units, preferring paragraph, line,
 * then word boundaries, and never cutting a surrogate pair. Joining the parts gives back the
 * text exactly.
 */
export function splitReply(text: string, maxChars: number = MAX_TEXT_CHARS): string[] {
  if (maxChars < 2) throw new RangeError(`maxChars must be at least 2; got ${maxChars}`)
  const parts: string[] = []
  let rest = text
  while (rest.length > maxChars) {
    const cut = cutPoint(rest, maxChars)
    parts.push(rest.slice(0, cut))
    rest = rest.slice(cut)
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest)
  return parts
}

function cutPoint(text: string, maxChars: number): number {
  const window = text.slice(0, maxChars)
  // A boundary in the last half keeps parts reasonably full; past that, cut hard.
  const floor = Math.floor(maxChars / 2)
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(sep)
    if (at >= floor) return at + sep.length
  }
  const code = text.charCodeAt(maxChars - 1)
  const isHighSurrogate = code >= 0xd800 && code <= 0xdbff
  return isHighSurrogate ? maxChars - 1 : maxChars
}
