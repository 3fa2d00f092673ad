/**
 * The data-object encoding of the EMV® QR Code Specification for Payment Systems,
 * Merchant-Presented Mode (EMV QRCPS MPM), which the BR Code follows: each field is a
 * 2-digit ID, a 2-digit length and that many characters of value. The spec counts the
 * length in characters, not bytes, so values are read as code points. Its checksum (ID 63)
 * is CRC-16/CCITT-FALSE over the payload's bytes up to and including "6304".
 */

export interface TlvField {
  id: string
  value: string
}

/** The fields of `chars` (code points), or undefined when they do not tile it exactly. */
export function readTlv(chars: readonly string[]): TlvField[] | undefined {
  const fields: TlvField[] = []
  let at = 0
  while (at < chars.length) {
    if (at + 4 > chars.length) return undefined
    const id = chars.slice(at, at + 2).join('')
    const length = chars.slice(at + 2, at + 4).join('')
    if (!/^[0-9]{2}$/.test(id) || !/^[0-9]{2}$/.test(length) || length === '00') return undefined
    const end = at + 4 + Number(length)
    if (end > chars.length) return undefined
    fields.push({ id, value: chars.slice(at + 4, end).join('') })
    at = end
  }
  return fields
}

/** One field; the value's length in characters must fit the two digits. */
export function writeTlv(id: string, value: string): string {
  const length = Array.from(value).length
  if (length < 1 || length > 99) throw new RangeError(`field ${id} must hold 1 to 99 characters; got ${length}`)
  return id + String(length).padStart(2, '0') + value
}

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR) as 4 uppercase hex digits. */
export function crc16(text: string): string {
  let crc = 0xffff
  for (const byte of utf8(text)) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    }
  }
  return crc.toString(16).toUpperCase().padStart(4, '0')
}

/** UTF-8 bytes of well-formed text (QR payloads are ASCII in practice; this keeps any other character honest). */
function* utf8(text: string): Generator<number> {
  for (const char of text) {
    const cp = char.codePointAt(0) as number
    if (cp < 0x80) yield cp
    else if (cp < 0x800) yield* [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)]
    else if (cp < 0x10000) yield* [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
    else yield* [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
  }
}
