import { Writable } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { AiProviderError, BadRequestError } from '../../src/errors.js'
import { createAlerts, createJobStats, createMetrics, instrumentProcessors } from '../../src/ops/index.js'
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js'

const isFinal = (err: unknown) => err instanceof BadRequestError
const ctx = (attempt: number, maxAttempts = 4) => ({ attempt, maxAttempts })

function setup() {
  const metrics = createMetrics()
  // The alerts' log lines say what was raised.
  const raised: unknown[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString('utf8')) as { event?: string; alert: string; details: unknown }
      if (line.event === 'alert') raised.push({ rule: line.alert, details: line.details })
      done()
    },
  })
  const alerts = createAlerts({ log: pino(stream), webhookUrl: undefined, cooldownMs: 0 })
  let clock = 0
  const stats = createJobStats({ now: () => 1_700_000_000_000 })
  const processors = instrumentProcessors(
    {
      'ai-response': async (w: { outcome: string }, _ctx: { attempt: number; maxAttempts: number }) => {
        clock += 25
        if (w.outcome === 'retryable') throw new AiProviderError('AI answered 503')
        if (w.outcome === 'final') throw new BadRequestError('no such conversation')
        if (w.outcome === 'delayed') return { retryAt: new Date(0), reason: 'debounce' }
        return undefined
      },
    },
    { metrics, alerts, stats, isFinal, clock: () => clock },
  )
  return { metrics, raised, stats, run: processors['ai-response'] }
}

describe('instrumented processors', () => {
  it('count completed, retried, delayed and failed runs, and alert only on a final failure', async () => {
    const { metrics, raised, stats, run } = setup()
    await run({ outcome: 'ok' } as never, ctx(1))
    await run({ outcome: 'ok' } as never, ctx(2))
    await run({ outcome: 'delayed' } as never, ctx(1))
    await expect(run({ outcome: 'retryable' } as never, ctx(1))).rejects.toBeInstanceOf(AiProviderError)
    expect(raised).toEqual([])
    await expect(run({ outcome: 'retryable' } as never, ctx(4))).rejects.toBeInstanceOf(AiProviderError)
    await expect(run({ outcome: 'final' } as never, ctx(1))).rejects.toBeInstanceOf(BadRequestError)

    const s = stats.snapshot()['ai-response']
    expect(s).toMatchObject({ completed: 2, retried: 1, failed: 2, throughput: { '1m': 2, '5m': 0.4, '15m': 0.13 } })
    expect(s.processMs).toEqual({ p50: 25, p95: 25, p99: 25 })
    expect(s.waitMs).toEqual({ p50: null, p95: null, p99: null })
    expect(stats.snapshot()['nps-survey']).toMatchObject({ completed: 0, failed: 0, retried: 0, throughput: { '1m': 0 } })

    expect(raised).toEqual([
      { rule: 'job_failed', details: { subject: 'ai-response', queue: 'ai-response', attempt: 4, maxAttempts: 4, code: 'ATD_AI_PROVIDER' } },
      { rule: 'job_failed', details: { subject: 'ai-response', queue: 'ai-response', attempt: 1, maxAttempts: 4, code: 'ATD_BAD_REQUEST' } },
    ])
    const { samples } = parsePrometheusText(await metrics.render())
    expect(sampleValue(samples, 'atende_jobs_completed_total', { queue: 'ai-response' })).toBe(2)
    expect(sampleValue(samples, 'atende_jobs_failed_total', { queue: 'ai-response' })).toBe(2)
  })
})

describe('job throughput', () => {
  it('averages completions per minute over 1, 5 and 15 minutes, forgetting older ones', () => {
    let now = 1_700_000_000_000
    const stats = createJobStats({ now: () => now })
    for (let minute = 0; minute < 20; minute++) {
      for (let i = 0; i < 6; i++) stats.record('message-processing', 'completed', { processMs: 1 })
      now += 60_000
    }
    now -= 1_000 // still inside the last minute that had completions
    expect(stats.snapshot()['message-processing'].throughput).toEqual({ '1m': 6, '5m': 6, '15m': 6 })
    now += 10 * 60_000
    expect(stats.snapshot()['message-processing'].throughput).toEqual({ '1m': 0, '5m': 0, '15m': 2 })
  })
})
