// Runs inside a piscina worker thread: zxing's C++ decoder takes ~50–150 ms on a phone
// photo and about a second on 16 MP, time the main thread's event loop must not lose
// (DESIGN.md). Under tsx this file is loaded through require(): no top-level await here
// (see worker-entry.ts).
import { parentPort } from 'node:worker_threads'
import { loadZxing, readCodes, type DecodeResult } from './zxing-reader.js'

export type { DecodeResult } from './zxing-reader.js'

export interface DecodeTask {
  bytes: Uint8Array
  /** Sent back as {@link TaskStarted} when decoding begins. */
  taskId: number
}

/** Posted on the thread's parent port (piscina emits it as the pool's `message`). */
export interface TaskStarted {
  codeReaderTaskStarted: number
}

// Started when the thread loads (piscina imports this module at thread start).
void loadZxing()

export default async function decode(task: DecodeTask): Promise<DecodeResult> {
  await loadZxing()
  // The caller's timeout starts now: neither the queue nor a new thread's start-up counts.
  parentPort?.postMessage({ codeReaderTaskStarted: task.taskId } satisfies TaskStarted)
  return readCodes(task.bytes)
}
