import { z } from 'zod'
import { ms } from './env-fields.js'

/** The pace of the work: the turn's debounce, the reconciler, shutdown. */
export const processingEnv = {
  /** A turn waits until the conversation is quiet this long. @defaultValue 1_500 */
  DEBOUNCE_MS: ms(1_500),
  /** ...but never longer than this after the first unanswered message. @defaultValue 8_000 */
  DEBOUNCE_MAX_MS: ms(8_000),
  /** Work due and not done for this long is enqueued again by the reconciler. @defaultValue 30_000 */
  RECONCILE_AFTER_MS: ms(30_000).pipe(z.number().min(1)),
  /** How often the reconciler looks. @defaultValue 5_000 */
  RECONCILE_INTERVAL_MS: ms(5_000).pipe(z.number().min(10)),
  /** Graceful shutdown budget before in-flight work is aborted. @defaultValue 10_000 */
  SHUTDOWN_GRACE_MS: ms(10_000),
}
