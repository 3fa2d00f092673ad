import { eq } from 'drizzle-orm'
import { transition, type LifecycleEvent, type Transition } from '../domain/index.js'
import type { Db } from './db.js'
import { conversationEvents, conversations } from './schema.js'

export interface LifecycleInput {
  conversationId: number
  event: LifecycleEvent
  /** The person acting (agents' API); the event is then recorded even when the status stays. */
  agent?: string | undefined
  at: Date
}

/**
 * Applies one lifecycle event in one transaction: locks the conversation, asks the domain
 * (src/domain/lifecycle.ts), writes the new status and the `conversation_events` row.
 * Refused events change nothing and come back as `{ ok: false, code }` (a 409 for the
 * agents' API, a stale timer for the workers). Undefined: no such conversation.
 */
export async function applyLifecycleEvent(db: Db, input: LifecycleInput): Promise<Transition | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: conversations.status })
      .from(conversations)
      .where(eq(conversations.id, input.conversationId))
      .for('update')
    if (row === undefined) return undefined
    const t = transition(row.status, input.event)
    if (!t.ok) return t
    if (t.changed) {
      await tx.update(conversations).set({ status: t.to, updatedAt: input.at }).where(eq(conversations.id, input.conversationId))
    }
    if (t.changed || input.agent !== undefined) {
      await tx.insert(conversationEvents).values({
        conversationId: input.conversationId,
        fromStatus: t.from,
        toStatus: t.to,
        cause: t.cause,
        agent: input.agent ?? null,
        at: input.at,
      })
    }
    return t
  })
}

export interface ConversationEvent {
  id: number
  fromStatus: string
  toStatus: string
  cause: string
  agent: string | null
  at: Date
}

/** A conversation's recorded transitions, oldest first. */
export async function listConversationEvents(db: Db, conversationId: number): Promise<ConversationEvent[]> {
  return db
    .select({
      id: conversationEvents.id,
      fromStatus: conversationEvents.fromStatus,
      toStatus: conversationEvents.toStatus,
      cause: conversationEvents.cause,
      agent: conversationEvents.agent,
      at: conversationEvents.at,
    })
    .from(conversationEvents)
    .where(eq(conversationEvents.conversationId, conversationId))
    .orderBy(conversationEvents.id)
}
