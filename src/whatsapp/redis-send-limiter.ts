/**
 * The per-number send limiter shared by every process (DESIGN.md, "Sending rate"): each
 * number's GCRA state (src/domain/send-pace.ts) lives in Redis and one Lua script takes a
 * slot atomically, on Redis's clock (`TIME`), so processes whose clocks disagree still share
 * one budget per number.
 *
 * Redis distributes work but sending must not depend on it: a call Redis does not answer
 * (error, refused connection, or REDIS_COMMAND_TIMEOUT_MS passed) is served by the process's
 * own limiter. While that lasts, each process paces on its own, so N processes may send up
 * to N times the rate; Meta's 130429 back-off still applies.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { paceFor, slotIntervalUs, type SendRates } from '../domain/index.js'
import type { SendLimiter } from './send-limiter.js'

export interface RedisSendLimiterOptions {
  /**
   * A connection that fails fast, as `redisOptions(config, 'limiter')` builds it: no offline
   * queue and a command timeout, so a hung Redis costs a send REDIS_COMMAND_TIMEOUT_MS at
   * most. The caller closes it.
   */
  connection: Redis
  /** REDIS_PREFIX; keys are `${prefix}:send-rate:${phoneNumberId}`, in the queues' hash slot on Cluster. */
  prefix: string
  rates: SendRates
  /** The process's own limiter, for calls Redis does not answer. */
  fallback: SendLimiter
  log: Logger
  /**
   * While Redis is failing, one call in this long tries it again; the others go straight to
   * the fallback instead of each waiting out the command timeout. @defaultValue 1_000
   */
  probeEveryMs?: number
}

/**
 * reserveSlot() of src/domain/send-pace.ts, in Lua (keep the two alike). KEYS[1]: the
 * number's TAT in whole µs; ARGV: slot interval (µs), burst, longest wait (µs). Returns
 * {1, waitUs} for a slot taken, {0, waitUs} for none. The key expires when its TAT passes:
 * an absent TAT means the same as a past one, so idle numbers leave nothing behind.
 */
const RESERVE_LUA = `
if redis.replicate_commands then redis.replicate_commands() end -- TIME before a write, Redis < 5
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local stored = redis.call('GET', KEYS[1])
local tat = now
if stored then tat = math.max(tonumber(stored), now) end
local nextTat = tat + interval
local wait = math.max(0, nextTat - burst * interval - now)
if wait > tonumber(ARGV[3]) then return {0, wait} end
redis.call('SET', KEYS[1], string.format('%.0f', nextTat), 'PX', math.ceil((nextTat - now) / 1000))
return {1, wait}
`

const COMMAND = 'atendeReserveSendSlot'
type ReserveCommand = (key: string, intervalUs: number, burst: number, maxWaitUs: number) => Promise<[number, number]>

export function createRedisSendLimiter(options: RedisSendLimiterOptions): SendLimiter {
  const { connection, fallback } = options
  const log = options.log.child({ component: 'send-limiter' })
  const probeEveryMs = options.probeEveryMs ?? 1_000
  // defineCommand runs the script by EVALSHA and loads it again after a Redis restart (NOSCRIPT).
  connection.defineCommand(COMMAND, { numberOfKeys: 1, lua: RESERVE_LUA })
  const command = (connection as unknown as Record<typeof COMMAND, ReserveCommand>)[COMMAND].bind(connection)
  /** Whether Redis is failing; while it is, one call per `probeEveryMs` tries it. */
  let outage = false
  let probeAt = 0

  async function reserve(phoneNumberId: string, maxWaitMs: number): Promise<{ reserved: boolean; waitMs: number }> {
    const pace = paceFor(options.rates, phoneNumberId)
    if (pace === undefined) return { reserved: true, waitMs: 0 }
    if (outage) {
      if (performance.now() < probeAt) return fallback.reserve(phoneNumberId, maxWaitMs)
      probeAt = performance.now() + probeEveryMs // this call is the probe
    }
    let answer: [number, number]
    try {
      const key = `${options.prefix}:send-rate:${phoneNumberId}`
      answer = await command(key, slotIntervalUs(pace.perSecond), pace.burst, Math.round(maxWaitMs * 1_000))
    } catch (err) {
      // Once per outage: every send would say the same, and sending goes on regardless.
      if (!outage) log.warn({ err }, 'send limiter: Redis did not answer; each process paces its own sends until it does')
      outage = true
      probeAt = performance.now() + probeEveryMs
      return fallback.reserve(phoneNumberId, maxWaitMs)
    }
    if (outage) {
      outage = false
      log.info('send limiter: Redis answers again; sends are paced across processes')
    }
    return { reserved: answer[0] === 1, waitMs: answer[1] / 1_000 }
  }

  return { reserve }
}
