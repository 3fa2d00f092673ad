import { describe, expect, it } from 'vitest'
import { parsePrivacyCommand } from '../../src/privacy/index.js'

describe('parsePrivacyCommand', () => {
  it('reads export and erase of a WhatsApp id or a business-scoped id', () => {
    expect(parsePrivacyCommand(['export', '5511912345678'])).toEqual({ ok: true, command: { action: 'export', customer: { kind: 'wa', waId: '5511912345678' } } })
    expect(parsePrivacyCommand(['erase', 'bsuid:BR.abc_1'])).toEqual({ ok: true, command: { action: 'erase', customer: { kind: 'bsuid', userId: 'BR.abc_1' } } })
  })

  it('says what is expected, with the usage, for a wrong action or count of arguments', () => {
    for (const args of [[], ['export'], ['delete', '5511912345678'], ['export', '5511912345678', 'extra']]) {
      expect(parsePrivacyCommand(args)).toEqual({ ok: false, problem: "expected 'privacy export <waId>' or 'privacy erase <waId>'", usage: true })
    }
  })

  it('refuses a malformed id without repeating it', () => {
    const parsed = parsePrivacyCommand(['erase', "55'; drop table contacts;--"])
    expect(parsed).toMatchObject({ ok: false, usage: false })
    expect(JSON.stringify(parsed)).not.toContain('drop table')
  })
})
