/**
 * Business hours (issue #9, milestone C): when a person can answer. A hand-off outside them
 * is told when the team is back (`messages.handoffClosed`), and HANDOFF_ALERT_MS counts only
 * time inside them, so a hand-off at 17:55 on Friday does not alert at 18:10.
 *
 * `BUSINESS_HOURS` reads like `mon-fri 08:00-18:00; sat 08:00-12:00`, in the wall-clock time
 * of `BUSINESS_TIME_ZONE`. Pure: instants come in as arguments, and the time zone is read
 * with `Intl` (no clock, no I/O). Daylight saving time is handled as the wall clock says:
 * an opening that falls in a skipped hour opens when the clock jumps.
 */

const MINUTES_PER_DAY = 1440
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/** Monday first; Portuguese names too, as a Brazilian operator may write them. */
const DAY_NAMES: Readonly<Record<string, number>> = {
  mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6,
  seg: 0, ter: 1, qua: 2, qui: 3, sex: 4, sab: 5, dom: 6,
}

/** A weekly schedule: open intervals in minutes from Monday 00:00, sorted, merged, [start, end). */
export interface BusinessHours {
  readonly intervals: ReadonlyArray<readonly [start: number, end: number]>
}

export type BusinessHoursResult = { ok: true; hours: BusinessHours } | { ok: false; error: string }

const EXAMPLE = "e.g. 'mon-fri 08:00-18:00; sat 08:00-12:00'"

/**
 * Reads a schedule: rules separated by `;`, each days (`mon`, `mon-fri`, `mon,wed,fri`; or
 * `seg`…`dom`) then time ranges (`08:00-12:00,13:00-18:00`; `8h-18h` too). A range ends
 * after it starts, `24:00` at the latest; an overnight range is written as two rules.
 * Overlapping rules add up. The error names the rule and what was expected.
 */
export function parseBusinessHours(text: string): BusinessHoursResult {
  const rules = text.split(';').map((r) => r.trim()).filter((r) => r !== '')
  if (rules.length === 0) return { ok: false, error: `expected at least one rule, ${EXAMPLE}` }
  const raw: Array<[number, number]> = []
  for (const [i, rule] of rules.entries()) {
    const where = `rule ${i + 1} ('${rule.slice(0, 60)}')`
    const m = /^([^\d]+?)\s+(\d.*)$/.exec(rule)
    if (m === null) return { ok: false, error: `${where}: expected days then time ranges, ${EXAMPLE}` }
    const days = parseDays(m[1]!.replace(/\s+/g, ''))
    if (typeof days === 'string') return { ok: false, error: `${where}: ${days}` }
    for (const range of m[2]!.replace(/\s+/g, '').split(',')) {
      const r = parseRange(range)
      if (typeof r === 'string') return { ok: false, error: `${where}: ${r}` }
      for (const d of days) raw.push([d * MINUTES_PER_DAY + r[0], d * MINUTES_PER_DAY + r[1]])
    }
  }
  return { ok: true, hours: { intervals: merge(raw) } }
}

function parseDays(spec: string): number[] | string {
  const days = new Set<number>()
  for (const item of spec.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(',')) {
    const [a, b, extra] = item.split('-')
    const from = DAY_NAMES[a ?? '']
    const to = b === undefined ? from : DAY_NAMES[b]
    if (from === undefined || to === undefined || extra !== undefined) {
      return `'${item}' is not a day or a day range; expected mon, tue, wed, thu, fri, sat, sun (or seg…dom), e.g. mon-fri`
    }
    // A range may wrap the week: sat-mon is saturday, sunday and monday.
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d)
      if (d === to) break
    }
  }
  return [...days]
}

function parseRange(range: string): [number, number] | string {
  const [a, b, extra] = range.split('-')
  const start = parseTime(a ?? '')
  const end = parseTime(b ?? '')
  if (start === undefined || end === undefined || extra !== undefined) {
    return `'${range}' is not a time range; expected HH:MM-HH:MM such as 08:00-18:00`
  }
  if (end <= start) return `'${range}' ends before it starts; write an overnight range as two rules ('fri 22:00-24:00; sat 00:00-06:00')`
  return [start, end]
}

/** Minutes after midnight of `08:00`, `8:00`, `8h` or `8h30`; 24:00 is the end of the day. */
function parseTime(t: string): number | undefined {
  const m = /^(\d{1,2})(?::(\d{2})|h(\d{2})?)$/i.exec(t)
  if (m === null) return undefined
  const hours = Number(m[1])
  const minutes = Number(m[2] ?? m[3] ?? 0)
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return undefined
  return hours * 60 + minutes
}

function merge(intervals: Array<[number, number]>): Array<[number, number]> {
  const sorted = intervals.toSorted((x, y) => x[0] - y[0])
  const out: Array<[number, number]> = []
  for (const [s, e] of sorted) {
    const last = out.at(-1)
    if (last !== undefined && s <= last[1]) last[1] = Math.max(last[1], e)
    else out.push([s, e])
  }
  return out
}

/** Whether `Intl` knows the IANA time zone (`America/Sao_Paulo`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return timeZone.trim() !== ''
  } catch {
    return false
  }
}

/** Business hours in one time zone; every answer is a function of the instants given. */
export interface BusinessCalendar {
  /** Whether `at` is inside business hours. Always true without a schedule. */
  isOpen(at: Date): boolean
  /** `at` itself when open, else the next instant business hours begin. */
  nextOpening(at: Date): Date
  /** When the business hours `at` is in end; undefined when closed at `at`, or never closing. */
  nextClosing(at: Date): Date | undefined
  /** Milliseconds of business hours between two instants (0 when `to` ≤ `from`). */
  businessMsBetween(from: Date, to: Date): number
  /** The instant at which `ms` of business hours have passed since `from`. */
  addBusinessMs(from: Date, ms: number): Date
}

/**
 * A calendar over a schedule in a time zone. `hours` undefined (BUSINESS_HOURS unset) means
 * always open. @throws RangeError for a time zone `Intl` does not know.
 */
export function createBusinessCalendar(hours: BusinessHours | undefined, timeZone: string): BusinessCalendar {
  const wall = createWallClock(timeZone)
  const intervals = hours?.intervals ?? [[0, MINUTES_PER_WEEK]]
  const first = intervals[0]!
  const last = intervals.at(-1)!
  const alwaysOpen = first[0] === 0 && first[1] === MINUTES_PER_WEEK
  // Contiguous across Sunday midnight → Monday 00:00 is neither an opening nor a closing.
  const wraps = first[0] === 0 && last[1] === MINUTES_PER_WEEK
  const openings = intervals.map((i) => i[0]).filter((m) => !(wraps && m === 0))
  const closings = intervals.map((i) => i[1]).filter((m) => !(wraps && m === MINUTES_PER_WEEK))

  const isOpenAt = (t: number) => {
    const minute = wall.weekMs(t) / MINUTE_MS
    return intervals.some(([s, e]) => s <= minute && minute < e)
  }

  /** The earliest instant ≥ `t` (> `t` when `strict`) at which the wall clock shows one of `minutes`. */
  const nextBoundary = (t: number, minutes: readonly number[], strict: boolean): number => {
    const dayWall = Math.floor(wall.wallMs(t) / DAY_MS) * DAY_MS
    const weekday = wall.weekday(dayWall)
    let best = Infinity
    for (let k = -1; k <= 8; k++) {
      const day = (((weekday + k) % 7) + 7) % 7
      for (const m of minutes) {
        const minuteOfDay = m - day * MINUTES_PER_DAY
        // 24:00 belongs to the day it ends (a closing), 00:00 to the day it opens.
        if (minuteOfDay < 0 || minuteOfDay > MINUTES_PER_DAY) continue
        const c = wall.firstInstantAt(dayWall + k * DAY_MS + minuteOfDay * MINUTE_MS)
        if ((strict ? c > t : c >= t) && c < best) best = c
      }
    }
    return best
  }

  const openFrom = (t: number) => (alwaysOpen || isOpenAt(t) ? t : nextBoundary(t, openings, false))
  const closeAfter = (t: number) => nextBoundary(t, closings, true)

  return {
    isOpen: (at) => alwaysOpen || isOpenAt(at.getTime()),
    nextOpening: (at) => new Date(openFrom(at.getTime())),
    nextClosing: (at) => (alwaysOpen || !isOpenAt(at.getTime()) ? undefined : new Date(closeAfter(at.getTime()))),
    businessMsBetween(from, to) {
      const end = to.getTime()
      if (alwaysOpen) return Math.max(0, end - from.getTime())
      let total = 0
      for (let t = openFrom(from.getTime()); t < end; t = openFrom(closeAfter(t))) total += Math.min(closeAfter(t), end) - t
      return total
    },
    addBusinessMs(from, ms) {
      if (alwaysOpen) return new Date(from.getTime() + ms)
      let remaining = ms
      for (let t = openFrom(from.getTime()); ; t = openFrom(closeAfter(t))) {
        const span = closeAfter(t) - t
        if (remaining <= span) return new Date(t + remaining)
        remaining -= span
      }
    },
  }
}

interface WallClock {
  /** The wall-clock reading at instant `t`, as milliseconds since 1970-01-01 00:00 on that clock. */
  wallMs(t: number): number
  /** Monday-based weekday (0–6) of a wall-clock reading. */
  weekday(wall: number): number
  /** Milliseconds since Monday 00:00 on the wall clock at instant `t`. */
  weekMs(t: number): number
  /** The first instant the clock shows `wall`, or, in a skipped hour, the instant the clock jumps past it. */
  firstInstantAt(wall: number): number
}

function createWallClock(timeZone: string): WallClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  const wallMs = (t: number): number => {
    const p: Record<string, number> = {}
    for (const part of format.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value)
    const ms = ((t % 1000) + 1000) % 1000
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + ms
  }
  // 1970-01-01 was a Thursday: Monday-based index 3.
  const weekday = (wall: number) => (((Math.floor(wall / DAY_MS) + 3) % 7) + 7) % 7
  return {
    wallMs,
    weekday,
    weekMs: (t) => {
      const w = wallMs(t)
      return weekday(w) * DAY_MS + (((w % DAY_MS) + DAY_MS) % DAY_MS)
    },
    firstInstantAt(wall) {
      // The offsets a day either side cover any one transition near `wall`.
      const offsets = new Set([wallMs(wall - DAY_MS) - (wall - DAY_MS), wallMs(wall + DAY_MS) - (wall + DAY_MS)])
      const exact = [...offsets].map((o) => wall - o).filter((c) => wallMs(c) === wall)
      if (exact.length > 0) return Math.min(...exact)
      // A skipped hour: the first instant whose clock reads past `wall` (the jump).
      let [lo, hi] = [...offsets].map((o) => wall - o).toSorted((a, b) => a - b) as [number, number]
      if (hi === undefined) hi = lo
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2)
        if (wallMs(mid) >= wall) hi = mid
        else lo = mid + 1
      }
      return lo
    },
  }
}

/**
 * The first instant of a calendar day (month 1–12) on the wall clock of a time zone: a
 * report's "2026-11-30" is that whole day where the business is. Midnight skipped by a
 * DST change gives the instant the clock jumps.
 */
export function startOfDay(year: number, month: number, day: number, timeZone: string): Date {
  return new Date(createWallClock(timeZone).firstInstantAt(Date.UTC(year, month - 1, day)))
}

/**
 * When the team is back, in words for the customer: "hoje às 8h", "amanhã às 13h30",
 * "segunda-feira às 8h" (en: "today at 8:00", "tomorrow at 13:30", "Monday at 8:00").
 */
export function describeOpening(opening: Date, now: Date, timeZone: string, language: 'pt-BR' | 'en'): string {
  const clock = createWallClock(timeZone)
  const at = clock.wallMs(opening.getTime())
  const days = Math.floor(at / DAY_MS) - Math.floor(clock.wallMs(now.getTime()) / DAY_MS)
  const minuteOfDay = Math.floor((((at % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS)
  const h = Math.floor(minuteOfDay / 60)
  const m = minuteOfDay % 60
  const weekday = clock.weekday(at)
  if (language === 'en') {
    const time = `${h}:${String(m).padStart(2, '0')}`
    const day = days <= 0 ? 'today' : days === 1 ? 'tomorrow' : EN_DAYS[weekday]!
    return `${day} at ${time}`
  }
  const time = m === 0 ? `${h}h` : `${h}h${String(m).padStart(2, '0')}`
  const day = days <= 0 ? 'hoje' : days === 1 ? 'amanhã' : PT_DAYS[weekday]!
  return `${day} ${h <= 1 ? 'à' : 'às'} ${time}`
}

const EN_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const PT_DAYS = ['segunda-feira', 'terça-feira', 'quarta-feira', 'quinta-feira', 'sexta-feira', 'sábado', 'domingo']
