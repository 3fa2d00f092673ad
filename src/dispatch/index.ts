/** The two runtimes of the queue contract (src/queues) and the reconciler. */
export { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js'
export { createInProcessRuntime, type InProcessRuntime } from './in-process.js'
export { createReconciler, type Reconciler, type ReconcilerOptions } from './reconciler.js'
export { redisOptions } from './redis-options.js'
