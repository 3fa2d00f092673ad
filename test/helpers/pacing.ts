import type { RecordedRequest } from './fake-graph.js'

/** Most of `times` inside any half-open window `[t, t + window)`; the busiest window starts at one of them. */
export function busiestWindow(times: readonly number[], window: number): number {
  const sorted = times.toSorted((a, b) => a - b)
  let best = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + window) j++
    best = Math.max(best, j - i)
  }
  return best
}

/** Most requests the fake received in any one-second window. */
export function busiestSecond(requests: readonly RecordedRequest[]): number {
  return busiestWindow(requests.map((r) => r.receivedAt), 1_000)
}

/** The phone_number_id a send went from: `/{version}/{phone-number-id}/messages`. */
export function senderOf(request: RecordedRequest): string | undefined {
  return request.kind === 'send' ? request.path.split('/')[2] : undefined
}
