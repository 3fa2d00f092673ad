/**
 * Which resolved addresses a media host name may have (media-hosts.ts): global unicast only,
 * IPv4 and IPv6, an IPv4-mapped IPv6 address judged as the IPv4 address it carries.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isPublicAddress } from '../../src/whatsapp/media-hosts.js'

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '255.255.255.255', '224.0.0.1', '192.0.2.1',
    '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '2001:db8::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe',
    'not an address', '',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false)
  })

  it.each(['157.240.1.1', '31.13.64.1', '8.8.8.8', '2a03:2880:f12f:83:face:b00c:0:25de', '::ffff:157.240.1.1'])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true)
  })

  it('judges an IPv4-mapped IPv6 address, dotted or hex, as its IPv4 address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number]
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
        expect(isPublicAddress(`::ffff:${v4}`)).toBe(isPublicAddress(v4))
        expect(isPublicAddress(hex)).toBe(isPublicAddress(v4))
      }),
      { numRuns: 2_000 },
    )
  })
})
