import { describe, expect, it } from 'vitest'
import { failureReason, isResourceExhaustion } from '../../src/images/page-failure.js'

describe('the reason logged for a PDF page that failed', () => {
  it('names the error\'s class, code and a message made of words', () => {
    class FormatError extends Error {
      override name = 'FormatError'
    }
    expect(failureReason(new FormatError('Bad FCHECK in flate stream'))).toBe('FormatError: Bad FCHECK in flate stream')
    expect(failureReason(Object.assign(new Error('[`Make line dash path effect failed`]'), { code: 'InvalidArg' }))).toBe('Error [InvalidArg]: Make line dash path effect failed')
  })

  it('leaves out a message that could quote the document: digits, quotes, or a long one', () => {
    expect(failureReason(new TypeError('cannot read 34191.79001 01043.510047'))).toBe('TypeError')
    expect(failureReason(new Error('Unknown command "Maria da Silva"'))).toBe('Error')
    expect(failureReason(new Error('word '.repeat(40)))).toBe('Error')
    expect(failureReason(Object.assign(new Error('x'), { code: 'not a code: 5511999990000' }))).toBe('Error: x')
    expect(failureReason('a string thrown')).toBe('thrown string')
  })

  it('treats memory exhaustion as the thread\'s failure, not the page\'s', () => {
    expect(isResourceExhaustion(new RangeError('Array buffer allocation failed'))).toBe(true)
    expect(isResourceExhaustion(new Error('Make line dash path effect failed'))).toBe(false)
  })
})
