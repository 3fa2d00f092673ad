/**
 * The per-number send limiter (DESIGN.md, "Sending rate"): Meta allows each WhatsApp
 * number 80 messages/s by default and answers 130429 past it. Sends ask a {@link SendLimiter}
 * for a slot first, so a burst of replies is paced instead of refused.
 *
 * Only sends count: marking a message read and downloading media are not messages.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { paceFor, reserveSlot, type SendRates } from '../domain/index.js'
import { heldBackError, slotWaitAbortedError } from './graph-errors.js'
import type { SendInput, SendTextInput, WhatsAppClient } from './types.js'

/** The answer to {@link SendLimiter.reserve}. */
export interface SendReservation {
  /**
   * true: a slot is taken; send after `waitMs` (0 ≤ waitMs ≤ maxWaitMs). The slot is spent
   * whether or not the send happens. false: nothing was taken; the next slot is `waitMs`
   * (> maxWaitMs) away, so ask again then.
   */
  reserved: boolean
  /** Milliseconds, with microsecond precision (not rounded). */
  waitMs: number
}

/**
 * Slots of one number's sends. Every implementation paces by GCRA with the number's rate R
 * and burst B (src/domain/send-pace.ts): the slots given out never put more than R + B − 1
 * in any one-second window, nor more than B at one instant. A number whose rate is 0 is
 * always answered `{ reserved: true, waitMs: 0 }`.
 */
export interface SendLimiter {
  reserve(phoneNumberId: string, maxWaitMs: number): Promise<SendReservation>
}

export interface LocalSendLimiterOptions {
  /** The rates (`Config.whatsapp.sendRate`). */
  rates: SendRates
  /**
   * Milliseconds on a clock that only moves forward; tests inject their own.
   * @defaultValue `performance.now`
   */
  now?: () => number
}

/** Idle numbers are forgotten every this many reservations, so the map cannot grow forever. */
const SWEEP_EVERY = 1_024

/**
 * One process's limiter: the in-process runtime's, and the Redis limiter's fallback while
 * Redis does not answer. Several processes each pacing on their own add up their rates.
 */
export function createLocalSendLimiter(options: LocalSendLimiterOptions): SendLimiter {
  const now = options.now ?? (() => performance.now())
  const tats = new Map<string, number>()
  let calls = 0

  return {
    async reserve(phoneNumberId, maxWaitMs) {
      const pace = paceFor(options.rates, phoneNumberId)
      if (pace === undefined) return { reserved: true, waitMs: 0 }
      const nowUs = Math.round(now() * 1_000)
      if (++calls % SWEEP_EVERY === 0) sweep(tats, nowUs)
      const decision = reserveSlot(tats.get(phoneNumberId), nowUs, pace, Math.round(maxWaitMs * 1_000))
      if (decision.reserved) tats.set(phoneNumberId, decision.tatUs)
      return { reserved: decision.reserved, waitMs: decision.waitUs / 1_000 }
    },
  }
}

/** A TAT in the past means the same as no TAT: the number can send now. */
function sweep(tats: Map<string, number>, nowUs: number): void {
  for (const [id, tat] of tats) if (tat <= nowUs) tats.delete(id)
}

export interface SendLimiterOptions {
  /** Longest a send waits for its slot (`WHATSAPP_SEND_MAX_WAIT_MS`). */
  maxWaitMs: number
}

/**
 * The client with `sendText` and `send` paced by `limiter`; every other member (`markRead`,
 * `downloadMedia`, `transport`, a cloud client's `close`) is the wrapped client's own.
 *
 * A send waits for its slot (abortable by its `signal`), then goes out. One that would wait
 * longer than `maxWaitMs` is not made: it throws a retryable `WhatsAppApiError` with
 * `retryAfterMs`, which a turn treats like Meta's 130429 (it steps back without spending an
 * attempt).
 */
export function withSendLimiter<C extends WhatsAppClient>(client: C, limiter: SendLimiter, options: SendLimiterOptions): C {
  async function paced(input: { phoneNumberId: string; signal?: AbortSignal | undefined }): Promise<void> {
    // An aborted call must not spend a slot another send could use.
    if (input.signal?.aborted === true) throw slotWaitAbortedError(input.signal.reason)
    const slot = await limiter.reserve(input.phoneNumberId, options.maxWaitMs)
    if (!slot.reserved) throw heldBackError('send', Math.ceil(slot.waitMs))
    if (slot.waitMs > 0) await waitForSlot(slot.waitMs, input.signal)
  }
  async function sendText(input: SendTextInput): Promise<{ wamid: string }> {
    await paced(input)
    return client.sendText(input)
  }
  // Every outbox send (agent, survey, template, menu) takes a slot from the same limiter.
  async function send(input: SendInput): Promise<{ wamid: string }> {
    await paced(input)
    return client.send(input)
  }
  return { ...client, sendText, send }
}

/**
 * Waits `ms` on the monotonic clock. A Node timer counts from the event loop's cached time,
 * so it can fire a few ms early after a busy tick: the clock, not the timer, says when the
 * slot has come. The timer goes with an abort (timers/promises clears it).
 */
async function waitForSlot(ms: number, signal: AbortSignal | undefined): Promise<void> {
  const until = performance.now() + ms
  try {
    for (let left = ms; left > 0; left = until - performance.now()) {
      await sleep(Math.ceil(left), undefined, signal === undefined ? undefined : { signal })
    }
  } catch (err) {
    throw slotWaitAbortedError(signal?.reason ?? err)
  }
}
