/** Small generic helpers (async, process shutdown); `lib/` imports nothing of ours (DESIGN.md, module map). */
export { createCoalescer, type CoalescerOptions, type Settled } from './coalesce.js'
export { linkSignal, type LinkedSignal } from './linked-signal.js'
export { releaseAll, releaseTogether, type Release } from './release.js'
export { createRepeatGate } from './repeat-gate.js'
export { startPeriodic, type PeriodicOptions, type PeriodicTask } from './periodic.js'
export { closeAll, installCrashHandlers, installShutdown, type Closer, type Started } from './shutdown.js'
export { withTimeout } from './timeout.js'
