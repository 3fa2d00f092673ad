/**
 * The "fator de vencimento" of a cobrança bancária boleto: four digits counting days from
 * the base date 1997-10-07 (BCB Carta-Circular 2.926 of 2000-07-24; factor 1000 is
 * 2000-07-03). Factor 0000 means the boleto carries no due date.
 *
 * The count reached 9999 on 2025-02-21. FEBRABAN ruled that it restarts at 1000 on
 * 2025-02-22 and keeps adding one a day (FEBRABAN, "Manual Operacional do Fator de
 * Vencimento da Cobrança Bancária", section III: the factor "retorna para 1000"); every
 * later cycle is 9,000 days long, so 9999 comes round again on 2049-10-13. A factor is
 * therefore ambiguous on its own: the same manual makes banks read it within a window
 * around the current date, from 3,000 factors before it to 5,500 after it.
 */

const DAY_MS = 86_400_000
/** Days from 1970-01-01 to the base date 1997-10-07. */
const BASE_DAY = Date.UTC(1997, 9, 7) / DAY_MS
const FIRST_FACTOR = 1000
const CYCLE_DAYS = 9000
/**
 * FEBRABAN's window (3,000 back, 5,500 ahead) spans 8,501 days of a 9,000-day cycle; to
 * decode every factor, the 499 factors outside it are split evenly, so a factor is read
 * as the date in [today − 3,250 days, today + 5,750 days).
 */
const DAYS_BEFORE_TODAY = 3000 + 250
/**
 * Without a `today`, factors are read as of the day of the rollover, which decodes every
 * due date from 2016-03-31 to 2040-11-19 correctly. Callers that know the date the
 * customer sent the boleto should pass it instead.
 */
export const DEFAULT_FACTOR_REFERENCE_DATE = '2025-02-22'

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Days since 1970-01-01 of a valid ISO calendar date (`yyyy-mm-dd`), else undefined. */
export function isoDay(iso: string): number | undefined {
  const m = ISO_DATE.exec(iso)
  if (m === null) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const ms = Date.UTC(year, month - 1, day)
  // Date.UTC rolls 2025-02-30 over to March; a real date survives the round trip.
  return isoFromDay(ms / DAY_MS) === iso ? ms / DAY_MS : undefined
}

export function isoFromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** The factor for a due date, or undefined before 2000-07-03 (factor 1000 of the first cycle). */
export function dueFactorOf(dueDate: string): number | undefined {
  const day = isoDay(dueDate)
  if (day === undefined) return undefined
  const sinceBase = day - BASE_DAY
  if (sinceBase < FIRST_FACTOR) return undefined
  return FIRST_FACTOR + ((sinceBase - FIRST_FACTOR) % CYCLE_DAYS)
}

/**
 * The due date of a factor, read in the window around `today` (our caller's date, so a
 * bad one throws). Factor 0 means "no due date"; factors 1–999 are never issued (every
 * cycle runs 1000–9999), so both give undefined.
 */
export function dueDateOf(factor: number, today: string = DEFAULT_FACTOR_REFERENCE_DATE): string | undefined {
  if (!Number.isInteger(factor) || factor < FIRST_FACTOR || factor > FIRST_FACTOR + CYCLE_DAYS - 1) return undefined
  const todayDay = isoDay(today)
  if (todayDay === undefined) throw new RangeError(`today must be a yyyy-mm-dd date; got '${today}'`)
  const windowStart = todayDay - BASE_DAY - DAYS_BEFORE_TODAY
  const cycles = Math.max(0, Math.ceil((windowStart - factor) / CYCLE_DAYS))
  return isoFromDay(BASE_DAY + factor + cycles * CYCLE_DAYS)
}
