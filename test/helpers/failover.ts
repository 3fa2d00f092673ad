import { Redis } from 'ioredis'
import type { AtendeProcess } from './atende-process.js'
import { textWebhook } from './e2e.js'
import type { FakeGraph } from './fake-graph.js'

/** One message of a steady stream: each from a customer of its own, so each is one burst. */
export interface Posted {
  wamid: string
  customer: string
  status: number
  /** `performance.now()` when the webhook was answered. */
  answeredAt: number
}

export interface Stream {
  readonly posted: readonly Posted[]
  /** Stops posting and waits for the request in flight. */
  stop(): Promise<void>
}

/**
 * Posts one text message every `everyMs`, each from a new customer, until stopped: the
 * steady traffic an outage meets. Customers are numbered from `firstCustomer`.
 */
export function startStream(post: (body: unknown) => Promise<Response>, options: { everyMs: number; tag: string; firstCustomer: number }): Stream {
  const posted: Posted[] = []
  let stopped = false
  let n = 0
  const loop = (async () => {
    while (!stopped) {
      const customer = String(options.firstCustomer + n)
      const wamid = `wamid.${options.tag}.${n}`
      n++
      // A refused request is recorded as status 0: the test says what it expected.
      const status = await post(textWebhook(wamid, 'minha internet caiu de novo', customer))
        .then(async (res) => (await res.arrayBuffer(), res.status), () => 0)
      posted.push({ wamid, customer, status, answeredAt: performance.now() })
      if (!stopped) await new Promise((r) => setTimeout(r, options.everyMs))
    }
  })()
  return {
    posted,
    stop: async () => {
      stopped = true
      await loop
    },
  }
}

/** Replies the fake Graph API accepted, by customer, with when each arrived. */
export function repliesByCustomer(graph: FakeGraph): Map<string, number[]> {
  const by = new Map<string, number[]>()
  for (const r of graph.requests) {
    if (r.kind !== 'send' || r.status !== 200) continue
    const to = (r.body as { to?: string }).to ?? '?'
    by.set(to, [...(by.get(to) ?? []), r.receivedAt])
  }
  return by
}

/** Waits until every one of `customers` has had a reply. */
export async function waitForReplies(graph: FakeGraph, customers: readonly string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const by = repliesByCustomer(graph)
    const missing = customers.filter((c) => !by.has(c))
    if (missing.length === 0) return
    if (Date.now() > until) throw new Error(`${missing.length} of ${customers.length} customers got no reply within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Customers answered more than once: each customer here sent one burst, so this must stay empty. */
export function answeredTwice(graph: FakeGraph): string[] {
  return [...repliesByCustomer(graph)].filter(([, at]) => at.length > 1).map(([c]) => c)
}

/** Every `runtime switched` line of a process, in order. */
export function switches(atende: AtendeProcess): Array<{ from: string; to: string; reason: string }> {
  return atende.logs.filter((l) => l.msg === 'runtime switched') as unknown as Array<{ from: string; to: string; reason: string }>
}

/** How many jobs of a queue BullMQ completed on this Redis (completed jobs are kept an hour). */
export async function completedJobs(redisUrl: string, prefix: string, queue: string): Promise<number> {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    return await probe.zcard(`${prefix}:${queue}:completed`)
  } finally {
    probe.disconnect()
  }
}
