/**
 * `work`, or the error `onTimeout` makes if it has not settled within `timeoutMs`. The timer
 * goes as soon as either side settles, so a finished call leaves nothing behind (a bare
 * `Promise.race` with `setTimeout` keeps the timer, and the process, alive). The work itself
 * is not stopped: pass it a signal (see {@link linkSignal}) when it can be.
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
