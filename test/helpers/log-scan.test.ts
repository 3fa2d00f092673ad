import { describe, expect, it } from 'vitest'
import { loadWebhook } from '../whatsapp/fixtures.js'
import { personalStrings, scanLogLines } from './log-scan.js'

const out = (...texts: string[]) => texts.map((text) => ({ stream: 'stdout' as const, text }))
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: 1796000000000, pid: 42, ...fields })

describe('the log-privacy scan', () => {
  it('finds a watched string, as written or JSON-escaped, and names the line', () => {
    const scan = scanLogLines(out(line({ msg: 'ok' }), line({ err: { message: 'dup "Maria Souza"' } }), 'plain Maria Souza'), ['dup "Maria Souza"', 'Maria Souza'])
    expect(scan.lines).toBe(3)
    expect(scan.findings.map((f) => `${f.where} ${f.match}`)).toEqual(['stdout:2 dup "Maria Souza"', 'stdout:2 Maria Souza', 'stdout:3 Maria Souza'])
  })

  it('finds any Brazilian phone number, watched or not, but not inside a longer run of digits', () => {
    const scan = scanLogLines(out(line({ to: '+5521987654321' }), line({ id: '15511987654321000' }), line({ n: '551198765432' })), [])
    expect(scan.findings.map((f) => f.match)).toEqual(['5521987654321', '551198765432'])
  })

  it('ignores watched strings too short to mean anything', () => {
    expect(scanLogLines(out(line({ msg: 'Oito dias' })), ['Oi']).findings).toEqual([])
  })

  it('excepts only the console reply field of the console reply line', () => {
    const reply = { component: 'whatsapp-console', msg: 'reply sent to console', reply: 'Olá, Maria Souza' }
    const scan = scanLogLines(
      out(line(reply), line({ ...reply, phoneNumberId: 'Maria Souza' }), line({ ...reply, msg: 'another line' })),
      ['Maria Souza'],
    )
    expect(scan.findings.map((f) => f.where)).toEqual(['stdout:2', 'stdout:3'])
  })

  it('scans stderr as well', () => {
    expect(scanLogLines([{ stream: 'stderr', text: 'atende: failed: 5511900000001' }], []).findings[0]?.where).toBe('stderr:1')
  })
})

describe('personal strings of a payload', () => {
  it('takes numbers, names and texts from a webhook, and none of its ids', () => {
    const strings = personalStrings(loadWebhook('batch'))
    expect(strings).toEqual(expect.arrayContaining(['5511900000001', '5521900000003']))
    expect(strings.some((s) => s.startsWith('wamid.'))).toBe(false)
    expect(strings.length).toBeGreaterThan(3)
  })

  it('takes the recipient and text of a send', () => {
    const send = { messaging_product: 'whatsapp', to: '5511900000001', type: 'text', text: { body: 'Olá!' } }
    expect(personalStrings(send).sort()).toEqual(['5511900000001', 'Olá!'])
  })
})
