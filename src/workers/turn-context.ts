import type { Logger } from 'pino'
import type { JobContext } from '../queues/index.js'
import type { TurnClaim, TurnConversation } from '../store/index.js'

/** A turn in progress: its claim on the conversation (token, attempt, messages) and the job running it. */
export interface Turn extends TurnClaim {
  conversation: TurnConversation
  log: Logger
  signal: AbortSignal
  ctx: JobContext
}
