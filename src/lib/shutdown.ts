import type { Logger } from 'pino'
import { releaseAll } from './release.js'

/** A resource of the process and how to free it. */
export interface Closer {
  name: string
  close: () => Promise<unknown>
}

/** What a started process holds: its resources in creation order, and its forced stop. */
export interface Started {
  closers: Closer[]
  /** Aborts in-flight jobs: the forced phase of shutdown. */
  abort: () => void
}

/** Releases in reverse creation order; a failed close is logged and the rest still run. */
export async function closeAll(closers: Closer[], log: Logger): Promise<void> {
  await releaseAll(closers.map((c) => () => c.close().catch((err: unknown) => log.error({ err, resource: c.name }, 'close failed'))))
}

/** Time the forced phase gets to finish closing before the process exits regardless. */
const FORCED_EXIT_AFTER_MS = 5_000
/** How long a closed process may take to exit by itself before it is made to. */
const LINGER_AFTER_SHUTDOWN_MS = 2_000

/**
 * SIGTERM/SIGINT: close everything within `graceMs`, then abort in-flight work and exit; a
 * second signal exits at once.
 */
export function installShutdown({ closers, abort }: Started, graceMs: number, log: Logger): void {
  let shutting: Promise<void> | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (shutting !== undefined) {
      log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    log.info({ signal, graceMs }, 'shutting down')
    // Past the grace period in-flight turns are aborted; their leases expire and the
    // reconciler hands the work to another process.
    const force = setTimeout(() => {
      log.warn('grace period over: aborting in-flight work')
      abort()
      setTimeout(() => process.exit(1), FORCED_EXIT_AFTER_MS).unref()
    }, graceMs)
    force.unref()
    shutting = closeAll(closers, log).then(() => {
      clearTimeout(force)
      log.info('shutdown complete')
      // Everything we own is closed; a handle left open somewhere must not keep a stopped
      // process alive (a supervisor would wait on it). Says what it was, for the fix.
      setTimeout(() => {
        log.warn({ resources: process.getActiveResourcesInfo() }, 'still running after shutdown: exiting')
        process.exit(0)
      }, LINGER_AFTER_SHUTDOWN_MS).unref()
    })
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

/** An unknown state is worse than a restart: log and let the supervisor start us again. */
export function installCrashHandlers(log: Logger): void {
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception')
    process.exit(1)
  })
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection')
    process.exit(1)
  })
}
