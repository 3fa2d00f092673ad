/**
 * WHATSAPP_MEDIA_HOSTS (issue #8, finding 5): the hosts, besides the Graph API's own, that a
 * media URL may point at and so receive the bearer token. Host names or IP addresses only.
 */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/index.js'

const hostsOf = (value: string | undefined) => loadConfig(value === undefined ? {} : { WHATSAPP_MEDIA_HOSTS: value }).whatsapp.mediaHosts

describe('WHATSAPP_MEDIA_HOSTS', () => {
  it("defaults to Meta's media CDN host, also when empty", () => {
    expect(hostsOf(undefined)).toEqual(['lookaside.fbsbx.com'])
    expect(hostsOf(' ')).toEqual(['lookaside.fbsbx.com'])
  })

  it('takes comma-separated host names and IPv4 or IPv6 addresses, trimmed and lower-cased', () => {
    expect(hostsOf(' Lookaside.FBSBX.com , media.example.net,10.0.0.5, ::1 ,2001:db8::7')).toEqual([
      'lookaside.fbsbx.com', 'media.example.net', '10.0.0.5', '::1', '2001:db8::7',
    ])
  })

  it.each([
    ['a port', 'lookaside.fbsbx.com:443'],
    ['a scheme', 'https://lookaside.fbsbx.com'],
    ['a path', 'lookaside.fbsbx.com/whatsapp_business'],
    ['a wildcard', '*.fbcdn.net'],
    ['an empty entry', 'lookaside.fbsbx.com,,media.example.net'],
    ['a bracketed IPv6 address', '[::1]'],
    ['an underscore', 'media_cdn.example.net'],
  ])('refuses %s, naming the entry by position', (_name, value) => {
    expect(() => hostsOf(value)).toThrow(/WHATSAPP_MEDIA_HOSTS: expected comma-separated host names or IP addresses .*entry \d of \d/)
  })
})
