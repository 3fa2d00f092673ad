/**
 * The pace of one WhatsApp number's sends, by GCRA (the generic cell rate algorithm, the
 * "virtual scheduling" form): each number keeps one value, the theoretical arrival time
 * (TAT) of its next send. A send asks for the next slot; it either takes it and learns how
 * long to wait, or takes nothing when the wait would exceed what the caller accepts.
 *
 * Times are whole microseconds, so that the same arithmetic runs exactly in JavaScript and
 * in the Lua copy of this function (src/whatsapp/redis-send-limiter.ts): Lua keeps numbers
 * as doubles, exact for integers up to 2^53 (a µs Unix time is ~2^51).
 *
 * The bound (proved in the comment of {@link reserveSlot}, checked by
 * test/whatsapp/send-limiter.test.ts): the slots a number is given never put more than
 * `perSecond + burst − 1` of them in any one-second window, and never more than `burst`
 * at one instant.
 */

/** How fast one number may send. */
export interface SendPace {
  /** Average sends per second. A positive integer. */
  perSecond: number
  /** Sends that may leave back to back before pacing starts. At least 1. */
  burst: number
}

/** The settings every number's pace is read from (the shape of `Config.whatsapp.sendRate`). */
export interface SendRates {
  /** Rate of a number without an override; 0: no limit. */
  perSecond: number
  burst: number
  /** Rate per phone_number_id, for upgraded numbers; 0: no limit for that number. */
  overrides: Readonly<Record<string, number>>
}

/** The number's pace, or `undefined` when its rate is 0 (not limited). */
export function paceFor(rates: SendRates, phoneNumberId: string): SendPace | undefined {
  const perSecond = Object.hasOwn(rates.overrides, phoneNumberId) ? rates.overrides[phoneNumberId]! : rates.perSecond
  return perSecond > 0 ? { perSecond, burst: rates.burst } : undefined
}

/** Whether any number is limited at all; when not, there is nothing to install. */
export function hasAnyLimit(rates: SendRates): boolean {
  return rates.perSecond > 0 || Object.values(rates.overrides).some((r) => r > 0)
}

/**
 * Microseconds between two slots. Rounded up: a rate that does not divide a second evenly
 * (3/s) is then paced a hair slower, never faster, so the bound above holds as stated.
 */
export function slotIntervalUs(perSecond: number): number {
  return Math.ceil(1_000_000 / perSecond)
}

export type SlotDecision =
  /** The slot is taken: send `waitUs` from now; store `tatUs` as the number's new TAT. */
  | { reserved: true; waitUs: number; tatUs: number }
  /** Nothing taken, the TAT is unchanged: the next slot is `waitUs` (> the allowed wait) away. */
  | { reserved: false; waitUs: number }

/**
 * One GCRA step. With T the interval and B the burst: the next TAT is max(TAT, now) + T and
 * the slot is at max(now, nextTat − B·T).
 *
 * Why the bound holds: a slot s taken with TAT' = nextTat has s ≤ TAT' − T (as nextTat ≥
 * now + T and B ≥ 1), every later taken slot adds at least T to the TAT, and a slot is never
 * before its TAT − B·T. So the n-th slot after slot s (n counting both) sits at least
 * (n − B)·T after s; within a window shorter than 1 s, (n − B)·T < 1 s, so n < B + 1 s / T
 * ≤ B + perSecond. Nothing here assumes the clock is monotonic.
 */
export function reserveSlot(tatUs: number | undefined, nowUs: number, pace: SendPace, maxWaitUs: number): SlotDecision {
  const interval = slotIntervalUs(pace.perSecond)
  const nextTat = Math.max(tatUs ?? nowUs, nowUs) + interval
  const waitUs = Math.max(0, nextTat - pace.burst * interval - nowUs)
  if (waitUs > maxWaitUs) return { reserved: false, waitUs }
  return { reserved: true, waitUs, tatUs: nextTat }
}
