/**
 * Lets a repeating event through at most once per `intervalMs`, handing over how many were
 * held back since the last one: a connection error that recurs with every reconnect attempt
 * is logged once a minute with a count, not several times a second for the whole outage.
 */
export function createRepeatGate(intervalMs: number, now: () => number = Date.now): (emit: (suppressed: number) => void) => void {
  let last = Number.NEGATIVE_INFINITY
  let suppressed = 0
  return (emit) => {
    const t = now()
    if (t - last < intervalMs) {
      suppressed++
      return
    }
    last = t
    const held = suppressed
    suppressed = 0
    emit(held)
  }
}
