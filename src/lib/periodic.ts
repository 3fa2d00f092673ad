/** A task run on a timer and on demand, never twice at once. */
export interface PeriodicTask<T> {
  /** Runs the task now, or joins the run in progress. */
  runOnce(): Promise<T>
  /** Stops the timer and waits for a run in progress to end; its failure is not rethrown. */
  stop(): Promise<void>
}

export interface PeriodicOptions {
  intervalMs: number
  /** A timer-started run that failed: the caller logs it; the next tick tries again. */
  onError: (err: unknown) => void
}

/**
 * Single-flight periodic work (the reconciler, the event relay, the ops monitor): a tick that
 * comes while a run is still going joins it instead of starting a second. The timer does not
 * keep the process alive.
 */
export function startPeriodic<T>(task: () => Promise<T>, options: PeriodicOptions): PeriodicTask<T> {
  let running: Promise<T> | undefined
  const runOnce = () => (running ??= task().finally(() => (running = undefined)))
  const timer = setInterval(() => {
    runOnce().catch(options.onError)
  }, options.intervalMs)
  timer.unref()
  return {
    runOnce,
    async stop() {
      clearInterval(timer)
      await running?.catch(() => {})
    },
  }
}
