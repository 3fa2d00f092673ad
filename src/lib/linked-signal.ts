/**
 * A signal that aborts when any of `parents` does, or after `timeoutMs`, until `release()`.
 *
 * Why not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 every composite
 * stays reachable from a long-lived parent (a worker's shutdown signal lives as long as the
 * process), so each call leaked a little (nodejs/node#55351): serve's RSS grew by ~100 MB a
 * minute under load. `AbortSignal.timeout` also holds its timer for the full timeout after
 * the call is done. Here the listeners and the timer go when the caller releases.
 */
export interface LinkedSignal {
  signal: AbortSignal
  /** Whether this signal's own timeout fired (not a parent's abort, whatever its reason). */
  readonly timedOut: boolean
  release(): void
}

export function linkSignal(parents: ReadonlyArray<AbortSignal | undefined>, timeoutMs?: number): LinkedSignal {
  const controller = new AbortController()
  const live = parents.filter((p): p is AbortSignal => p !== undefined)
  const aborted = live.find((p) => p.aborted)
  if (aborted !== undefined) {
    controller.abort(aborted.reason)
    return { signal: controller.signal, timedOut: false, release: () => {} }
  }
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason)
  for (const p of live) p.addEventListener('abort', onAbort, { once: true })
  let timedOut = false
  const timer = timeoutMs === undefined
    ? undefined
    : setTimeout(() => {
      timedOut = !controller.signal.aborted
      // The reason AbortSignal.timeout gives, so callers that look at it see the same error.
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
    }, timeoutMs)
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut
    },
    release: () => {
      clearTimeout(timer)
      for (const p of live) p.removeEventListener('abort', onAbort)
    },
  }
}
