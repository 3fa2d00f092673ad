/** The two runtimes of the queue contract (src/queues) and the reconciler. */
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js'
export { createInProcessRuntime, type InProcessRuntime } from './in-process.js'
export { createReconciler, type HandoffAlert, type Reconciler, type ReconcilerOptions } from './reconciler.js'
export { redisOptions } from './redis-options.js'
export { createSwitchingRuntime, describeRuntime, type RuntimeStatus, type RuntimeSwitch, type SwitchingRuntime } from './switching-runtime.js'
export { createRedisHealth, type RedisHealth, type RedisHealthEvent } from './redis-health.js'
export { createDatabaseFeed, type DatabaseFeed } from './database-feed.js'
export { withWorkClaims } from './work-claims.js'
