import { AsyncLocalStorage, createHook } from 'node:async_hooks'

/**
 * The timers one piece of code starts, followed through their lifetime. A timer counts when
 * it is started in the async context of a `during` call (its awaits and the promise chains it
 * begins included), so timers of vitest, sockets or other tests coming and going meanwhile
 * never do: counting every timer of the process made tests flaky.
 */
export interface FollowedTimers {
  /** Runs `run`, following the timers it starts, now or later in its async context. */
  during<T>(run: () => T): T
  /** Timers started so far. */
  readonly started: number
  /** Of those, the ones neither fired nor cleared (Node destroys a cleared timer a moment later). */
  live(): number
  /** Of the live ones, those that keep the process alive (not `unref`ed). */
  keepingAlive(): number
  /** Stops following; the counts stay as they were. */
  stop(): void
}

interface TimerResource {
  hasRef(): boolean
}

export function followTimers(): FollowedTimers {
  const context = new AsyncLocalStorage<true>()
  const live = new Map<number, TimerResource>()
  let started = 0
  const hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (type !== 'Timeout' || context.getStore() !== true) return
      started++
      live.set(id, resource as TimerResource)
    },
    destroy: (id) => {
      live.delete(id)
    },
  }).enable()
  return {
    during: (run) => context.run(true, run),
    get started() {
      return started
    },
    live: () => live.size,
    keepingAlive: () => [...live.values()].filter((t) => t.hasRef()).length,
    stop: () => {
      hook.disable()
      context.disable()
    },
  }
}
