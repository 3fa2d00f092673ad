import type { FastifyInstance } from 'fastify'
import hdr from 'hdr-histogram-js'

export interface LatencySnapshot {
  count: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
}

export interface ServerTiming {
  snapshot(): LatencySnapshot
  /** Starts counting afresh (a benchmark discards its warm-up this way). */
  reset(): void
}

/**
 * Server-side time of every request (received → response sent), in an HDR histogram with
 * microsecond resolution: what the webhook's latency target is about, free of the load
 * generator's own delays. Hooks go on the root so every route is measured, the dashboard's
 * (`/admin`) excepted.
 */
export function installServerTiming(app: FastifyInstance): ServerTiming {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })
  app.addHook('onResponse', async (request, reply) => {
    // The dashboard's pages, polls and live streams (minutes long) are a person's browsing,
    // not the service's latency.
    if (request.url.startsWith('/admin')) return
    histogram.recordValue(Math.max(1, Math.round(reply.elapsedTime * 1000)))
  })
  const ms = (us: number) => Math.round(us) / 1000
  return {
    reset: () => histogram.reset(),
    snapshot: () => ({
      count: histogram.totalCount,
      p50Ms: ms(histogram.getValueAtPercentile(50)),
      p99Ms: ms(histogram.getValueAtPercentile(99)),
      p999Ms: ms(histogram.getValueAtPercentile(99.9)),
      // Percentiles report a bucket's upper edge; the max from the same buckets keeps the figures monotonic.
      maxMs: ms(histogram.getValueAtPercentile(100)),
    }),
  }
}
