import hdr from 'hdr-histogram-js'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { QUEUE_NAMES, type QueueName } from '../config/index.js'

/** The job states `atende_queue_jobs` reports, as BullMQ names them. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const
export type QueueState = (typeof QUEUE_STATES)[number]
export type QueueJobCounts = Record<QueueName, Record<QueueState, number>>

/** What an image analysis ended in (src/domain/image-analysis.ts `outcome`). */
export const IMAGE_OUTCOMES = ['read', 'described', 'transcribed', 'nothing', 'failed'] as const
export const NPS_CATEGORIES = ['promoter', 'passive', 'detractor'] as const
export type NpsCategory = (typeof NPS_CATEGORIES)[number]

/** The webhook's latency in this process, as `/api/queue/metrics` reports it (ms). */
export interface WebhookLatency {
  count: number
  p50: number | null
  p99: number | null
}

/**
 * The process's Prometheus registry and the counters the pipeline moves. Every label takes
 * values from a fixed set (queue names, HTTP status codes, outcomes): no label ever carries
 * a phone number, a name or a message, and the number of series stays bounded.
 */
export interface Metrics {
  readonly registry: Registry
  /** `Content-Type` of {@link render}'s text. */
  readonly contentType: string
  /** One webhook POST answered: its status and time. */
  webhookAnswered(status: number, seconds: number): void
  webhookLatency(): WebhookLatency
  jobCompleted(queue: QueueName): void
  /** A job failed for good: after its last attempt, or with an error not worth retrying. */
  jobFailed(queue: QueueName): void
  replySent(): void
  handoff(): void
  npsResponse(category: NpsCategory): void
  imageAnalysed(outcome: (typeof IMAGE_OUTCOMES)[number]): void
  /**
   * Where `atende_queue_jobs` reads the queues' states at each scrape (the runtime's
   * counts). Without one, the gauge reports nothing.
   */
  setQueueCounts(source: () => Promise<QueueJobCounts>): void
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>
}

/** Webhook latency buckets (s): the target is milliseconds, a slow database shows as seconds. */
const WEBHOOK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const webhookRequests = new Counter({
    name: 'atende_webhook_requests_total',
    help: 'WhatsApp webhook deliveries (POST) answered, by HTTP status',
    labelNames: ['status'] as const,
    registers: [registry],
  })
  const webhookDuration = new Histogram({
    name: 'atende_webhook_duration_seconds',
    help: 'Time from receiving a webhook delivery to answering it',
    buckets: WEBHOOK_BUCKETS,
    registers: [registry],
  })
  const jobsCompleted = new Counter({
    name: 'atende_jobs_completed_total',
    help: 'Jobs this process completed, by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  })
  const jobsFailed = new Counter({
    name: 'atende_jobs_failed_total',
    help: 'Jobs this process saw fail for good (after their last attempt, or not retryable), by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  })
  let queueCounts: (() => Promise<QueueJobCounts>) | undefined
  new Gauge({
    name: 'atende_queue_jobs',
    help: 'Jobs per queue and state (cluster-wide with Redis; this process in-process)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset()
      if (queueCounts === undefined) return
      let counts: QueueJobCounts
      try {
        counts = await queueCounts()
      } catch {
        // Redis unreachable: the scrape still answers, without this gauge (its absence is the
        // signal; the redis_lost alert says why).
        return
      }
      for (const queue of QUEUE_NAMES) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, counts[queue][state])
      }
    },
  })
  const repliesSent = new Counter({ name: 'atende_replies_sent_total', help: 'Messages sent to customers through WhatsApp', registers: [registry] })
  const handoffs = new Counter({ name: 'atende_handoffs_total', help: 'Conversations handed to a person', registers: [registry] })
  const npsResponses = new Counter({
    name: 'atende_nps_responses_total',
    help: 'NPS answers, by category (promoter 9-10, passive 7-8, detractor 0-6)',
    labelNames: ['category'] as const,
    registers: [registry],
  })
  const imagesAnalysed = new Counter({
    name: 'atende_images_analysed_total',
    help: 'Customer pictures analysed, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  })
  // Every series exists from the start: a rate() over a counter that appears late misses its first increase.
  for (const queue of QUEUE_NAMES) {
    jobsCompleted.inc({ queue }, 0)
    jobsFailed.inc({ queue }, 0)
  }
  for (const category of NPS_CATEGORIES) npsResponses.inc({ category }, 0)
  for (const outcome of IMAGE_OUTCOMES) imagesAnalysed.inc({ outcome }, 0)

  // Microseconds, as the server-timing histogram of /api/metrics/http.
  const latency = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 })
  const percentileMs = (p: number) => (latency.totalCount === 0 ? null : Math.round(latency.getValueAtPercentile(p)) / 1000)

  return {
    registry,
    contentType: registry.contentType,
    webhookAnswered(status, seconds) {
      webhookRequests.inc({ status: String(status) })
      webhookDuration.observe(seconds)
      latency.recordValue(Math.max(1, Math.round(seconds * 1_000_000)))
    },
    webhookLatency: () => ({ count: latency.totalCount, p50: percentileMs(50), p99: percentileMs(99) }),
    jobCompleted: (queue) => jobsCompleted.inc({ queue }),
    jobFailed: (queue) => jobsFailed.inc({ queue }),
    replySent: () => repliesSent.inc(),
    handoff: () => handoffs.inc(),
    npsResponse: (category) => npsResponses.inc({ category }),
    imageAnalysed: (outcome) => imagesAnalysed.inc({ outcome }),
    setQueueCounts(source) {
      queueCounts = source
    },
    render: () => registry.metrics(),
  }
}
