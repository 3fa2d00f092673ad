import autocannon from 'autocannon'

export interface LoadResult {
  /** Requests per second answered 2xx. */
  rps: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  errors: number
  non2xx: number
}

export interface LoadOptions {
  url: string
  /** Fixed offered rate (req/s); undefined: as fast as the server answers (saturation). */
  rate: number | undefined
  durationSeconds: number
  connections: number
  next(): { body: string; signature: string }
}

/** One autocannon run against `POST /webhooks/whatsapp`, each request a new signed body. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.durationSeconds,
    ...(o.rate === undefined ? {} : { overallRate: o.rate }),
    requests: [
      {
        method: 'POST',
        path: '/webhooks/whatsapp',
        setupRequest: (req: autocannon.Request) => {
          const { body, signature } = o.next()
          return { ...req, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } }
        },
      },
    ],
  })
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    p999Ms: result.latency.p99_9,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}
