/** One item's outcome in a flush. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown }

export interface CoalescerOptions<T, R> {
  /** Handles a group; answers one outcome per item, in order. A rejection fails every item of the group. */
  flush(items: T[]): Promise<Settled<R>[]>
  /** Largest group. @defaultValue 500 */
  maxItems?: number
}

/**
 * Group commit's scheduler: the first item is flushed at once (no timer, no added latency);
 * items that arrive while a flush runs wait and go together in the next one. Under load
 * groups grow by themselves; when idle each item goes alone. An item is never served by a
 * flush that began before it arrived, so a shared read is as fresh as one of its own.
 */
export function createCoalescer<T, R>(options: CoalescerOptions<T, R>): (item: T) => Promise<R> {
  const maxItems = options.maxItems ?? 500
  const queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = []
  let flushing = false

  async function drain(): Promise<void> {
    flushing = true
    while (queue.length > 0) {
      const group = queue.splice(0, maxItems)
      try {
        const outcomes = await options.flush(group.map((g) => g.item))
        group.forEach((g, i) => {
          const o = outcomes[i]
          if (o === undefined) g.reject(new Error('coalescer: flush returned fewer outcomes than items'))
          else if (o.ok) g.resolve(o.value)
          else g.reject(o.error)
        })
      } catch (err) {
        for (const g of group) g.reject(err)
      }
    }
    flushing = false
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      if (!flushing) void drain()
    })
}
