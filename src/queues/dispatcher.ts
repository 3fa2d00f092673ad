import type { ForgetRows, WakeUp } from './wake-up.js'

export interface DispatchOptions {
  /**
   * The reconciler's path: also revive a wake-up whose job sits in `failed` (where a
   * re-add with the same job id would be a silent no-op).
   * @defaultValue false
   */
  revive?: boolean
}

/**
 * The port workers, ingest and privacy enqueue through; dispatch/ implements it twice
 * (BullMQ and in-process), and test/queues/runtime-conformance.test.ts holds both to it.
 */
export interface Dispatcher {
  readonly mode: 'queues' | 'in-process'
  /** Resolves once every wake-up is handed to the runtime; rejects if the runtime cannot take them. */
  dispatch(wakeUps: readonly WakeUp[], options?: DispatchOptions): Promise<void>
  /**
   * Removes every job of these rows that is still stored (an erased customer's): jobs carry
   * ids only, but an erased customer's must go too. A job running now cannot be taken back;
   * it finds its row gone and does nothing. Resolves to how many jobs were removed; rejects
   * when the runtime cannot be reached.
   */
  forget(rows: ForgetRows): Promise<number>
}
