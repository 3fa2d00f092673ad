import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createBusinessCalendar,
  describeOpening,
  isValidTimeZone,
  parseBusinessHours,
  startOfDay,
  type BusinessHours,
} from '../../src/domain/index.js'

const SP = 'America/Sao_Paulo'
const hours = (text: string): BusinessHours => {
  const r = parseBusinessHours(text)
  if (!r.ok) throw new Error(r.error)
  return r.hours
}
const at = (iso: string) => new Date(iso)

describe('parseBusinessHours', () => {
  it('reads days, day ranges, lists and several ranges a day', () => {
    expect(hours('mon-fri 08:00-18:00; sat 08:00-12:00').intervals).toEqual([
      [480, 1080],
      [1440 + 480, 1440 + 1080],
      [2880 + 480, 2880 + 1080],
      [4320 + 480, 4320 + 1080],
      [5760 + 480, 5760 + 1080],
      [7200 + 480, 7200 + 720],
    ])
    expect(hours('mon,wed 8h-12h, 13h30-18h').intervals).toEqual([
      [480, 720],
      [810, 1080],
      [2880 + 480, 2880 + 720],
      [2880 + 810, 2880 + 1080],
    ])
    expect(hours('seg-sex 08:00-18:00; sáb 08:00-12:00')).toEqual(hours('mon-fri 08:00-18:00; sat 08:00-12:00'))
  })

  it('merges overlapping rules, and reads a range that wraps the week', () => {
    expect(hours('mon 08:00-12:00; mon 11:00-14:00').intervals).toEqual([[480, 840]])
    expect(hours('sat-mon 00:00-24:00').intervals).toEqual([
      [0, 1440],
      [7200, 10080],
    ])
  })

  it.each([
    ['', 'at least one rule'],
    ['mon-fri', "rule 1 ('mon-fri'): expected days then time ranges"],
    ['mon-fri 08:00-18:00; sat 0800-1200', "rule 2 ('sat 0800-1200'): '0800-1200' is not a time range"],
    ['funday 08:00-18:00', "'funday' is not a day"],
    ['mon 18:00-08:00', 'write an overnight range as two rules'],
    ['mon 08:00-24:30', 'is not a time range'],
    ['mon 08:60-09:00', 'is not a time range'],
    ['mon-tue-wed 08:00-09:00', "'mon-tue-wed' is not a day"],
  ])('refuses %j, saying %j', (text, words) => {
    const r = parseBusinessHours(text)
    expect(r.ok).toBe(false)
    expect(r.ok ? '' : r.error).toContain(words)
  })
})

describe('business calendar', () => {
  const cal = createBusinessCalendar(hours('mon-fri 08:00-18:00; sat 08:00-12:00'), SP)

  it('is open by the wall clock of its time zone (São Paulo is UTC−3)', () => {
    expect(cal.isOpen(at('2026-11-30T10:59:59Z'))).toBe(false) // Monday 07:59:59
    expect(cal.isOpen(at('2026-11-30T11:00:00Z'))).toBe(true) // Monday 08:00
    expect(cal.isOpen(at('2026-11-30T20:59:59Z'))).toBe(true) // Monday 17:59:59
    expect(cal.isOpen(at('2026-11-30T21:00:00Z'))).toBe(false) // Monday 18:00
    expect(cal.isOpen(at('2026-12-05T15:00:00Z'))).toBe(false) // Saturday 12:00
    expect(cal.isOpen(at('2026-12-06T15:00:00Z'))).toBe(false) // Sunday
  })

  it('finds the next opening: Saturday noon → Monday 08:00', () => {
    expect(cal.nextOpening(at('2026-12-05T15:00:00Z')).toISOString()).toBe('2026-12-07T11:00:00.000Z')
    expect(cal.nextOpening(at('2026-11-30T12:00:00Z')).toISOString()).toBe('2026-11-30T12:00:00.000Z')
    expect(cal.nextClosing(at('2026-11-30T12:00:00Z'))?.toISOString()).toBe('2026-11-30T21:00:00.000Z')
  })

  it('counts only business time: 17:55 Friday + 15 min is 08:10 Saturday', () => {
    const handoff = at('2026-12-04T20:55:00Z')
    const alert = cal.addBusinessMs(handoff, 15 * 60_000)
    expect(alert.toISOString()).toBe('2026-12-05T11:10:00.000Z')
    expect(cal.businessMsBetween(handoff, alert)).toBe(15 * 60_000)
    expect(cal.businessMsBetween(handoff, at('2026-12-05T11:00:00Z'))).toBe(5 * 60_000)
  })

  it('without a schedule is always open', () => {
    const always = createBusinessCalendar(undefined, SP)
    const t = at('2026-12-06T03:00:00Z')
    expect(always.isOpen(t)).toBe(true)
    expect(always.nextOpening(t)).toEqual(t)
    expect(always.nextClosing(t)).toBeUndefined()
    expect(always.addBusinessMs(t, 1000).getTime()).toBe(t.getTime() + 1000)
  })

  it('opens in a skipped hour when the clock jumps (New York, 2026-03-08 02:00 → 03:00)', () => {
    const ny = createBusinessCalendar(hours('sun 02:30-03:30'), 'America/New_York')
    expect(ny.nextOpening(at('2026-03-08T05:00:00Z')).toISOString()).toBe('2026-03-08T07:00:00.000Z')
  })

  it('knows IANA time zones', () => {
    expect(isValidTimeZone('America/Sao_Paulo')).toBe(true)
    expect(isValidTimeZone('America/Sao_Paolo')).toBe(false)
    expect(isValidTimeZone('')).toBe(false)
  })
})

describe('business calendar properties', () => {
  const day = fc.integer({ min: 0, max: 6 })
  const slot = fc.integer({ min: 0, max: 95 }) // quarter hours
  const range = fc.tuple(slot, fc.integer({ min: 1, max: 40 })).map(([s, len]) => [s * 15, Math.min(1440, (s + len) * 15)] as const)
  const time = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
  const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
  const schedule = fc
    .array(fc.tuple(day, range), { minLength: 1, maxLength: 8 })
    .map((rules) => rules.map(([d, [s, e]]) => `${DAYS[d]} ${time(s)}-${time(e)}`).join('; '))
  const zone = fc.constantFrom(SP, 'America/New_York', 'Europe/Lisbon', 'UTC')
  // 2025–2027: both DST transitions of the zones above are inside.
  const instant = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) }).map((t) => new Date(t))
  const params = { numRuns: 60 }

  it('the next opening is open, not earlier than asked, and nothing before it is open', () => {
    fc.assert(
      fc.property(schedule, zone, instant, fc.double({ min: 0, max: 1, noNaN: true }), (text, tz, t, f) => {
        const cal = createBusinessCalendar(hours(text), tz)
        const o = cal.nextOpening(t)
        if (cal.isOpen(t)) return o.getTime() === t.getTime()
        const between = new Date(t.getTime() + Math.floor((o.getTime() - t.getTime()) * f))
        return o > t && cal.isOpen(o) && !cal.isOpen(new Date(o.getTime() - 1)) && (between >= o || !cal.isOpen(between))
      }),
      params,
    )
  })

  it('the next closing ends the open stretch', () => {
    fc.assert(
      fc.property(schedule, zone, instant, (text, tz, t) => {
        const cal = createBusinessCalendar(hours(text), tz)
        const o = cal.nextOpening(t)
        const c = cal.nextClosing(o)
        if (c === undefined) return hours(text).intervals.length === 1 && hours(text).intervals[0]![1] - hours(text).intervals[0]![0] === 10080
        return c > o && cal.isOpen(new Date(c.getTime() - 1)) && !cal.isOpen(c)
      }),
      params,
    )
  })

  it('business time adds up, never exceeds the time between, and addBusinessMs inverts it', () => {
    fc.assert(
      fc.property(schedule, zone, instant, fc.integer({ min: 0, max: 5 * 86_400_000 }), fc.integer({ min: 0, max: 36 * 3_600_000 }), (text, tz, a, span, ms) => {
        const cal = createBusinessCalendar(hours(text), tz)
        const c = new Date(a.getTime() + span)
        const b = new Date(a.getTime() + Math.floor(span / 3))
        const total = cal.businessMsBetween(a, c)
        return (
          total === cal.businessMsBetween(a, b) + cal.businessMsBetween(b, c) &&
          total <= span &&
          cal.businessMsBetween(a, cal.addBusinessMs(a, ms)) === ms
        )
      }),
      params,
    )
  })
})

describe('describeOpening', () => {
  const now = at('2026-12-05T16:00:00Z') // Saturday 13:00 in São Paulo
  it.each([
    ['2026-12-05T17:30:00Z', 'pt-BR', 'hoje às 14h30'],
    ['2026-12-06T11:00:00Z', 'pt-BR', 'amanhã às 8h'],
    ['2026-12-07T11:00:00Z', 'pt-BR', 'segunda-feira às 8h'],
    ['2026-12-07T04:00:00Z', 'pt-BR', 'segunda-feira à 1h'],
    ['2026-12-07T11:00:00Z', 'en', 'Monday at 8:00'],
    ['2026-12-06T11:30:00Z', 'en', 'tomorrow at 8:30'],
  ] as const)('%s reads %s as %j', (iso, language, words) => {
    expect(describeOpening(at(iso), now, SP, language)).toBe(words)
  })
})

describe('startOfDay', () => {
  it('is local midnight: 03:00 UTC in São Paulo, 00:00 in UTC', () => {
    expect(startOfDay(2026, 11, 30, SP).toISOString()).toBe('2026-11-30T03:00:00.000Z')
    expect(startOfDay(2026, 12, 1, 'UTC').toISOString()).toBe('2026-12-01T00:00:00.000Z')
  })

  it('a midnight skipped by DST starts the day when the clock jumps (São Paulo, 2018-11-04)', () => {
    expect(startOfDay(2018, 11, 4, SP).toISOString()).toBe('2018-11-04T03:00:00.000Z')
  })
})
