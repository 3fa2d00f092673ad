/**
 * An independent CRC-16/CCITT-FALSE for tests: table-driven over the UTF-8 bytes, where
 * the code under test shifts bit by bit. Its catalogued check value is 29B1 for
 * "123456789".
 */
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let crc = n << 8
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  return crc
})

export function referenceCrc(text: string): string {
  let crc = 0xffff
  for (const byte of new TextEncoder().encode(text)) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!
  return crc.toString(16).toUpperCase().padStart(4, '0')
}

/** A BR Code payload closed with ID 63 and its CRC. */
export function sealed(fields: string): string {
  return `${fields}6304${referenceCrc(`${fields}6304`)}`
}
