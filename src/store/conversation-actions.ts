/**
 * What a person does to a conversation (the agents' API, issue #9 milestone C): take it
 * (hand-off), give it back to the bot (release), resolve it, write to the customer. The
 * lifecycle's table (src/domain/lifecycle.ts) decides whether the action applies; each one
 * bumps the conversation's turn token and supersedes the bot's pending reply in the same
 * transaction as the status change, so a bot turn in the middle of its AI call can no
 * longer send (invariant 6): its every later write presents a stale token. Every action is
 * recorded in `conversation_events` with the agent's name, even one that keeps the status.
 */
import { sql } from 'drizzle-orm'
import { transition, type LifecycleErrorCode, type LifecycleEvent } from '../domain/index.js'
import { InvalidOutboundContentError } from '../errors.js'
import { queryRows, type Db } from './db.js'
import { parseOutboundContent } from './outbound-content.js'
import { planSurvey } from './nps.js'
import { queueOutbound, type QueueOutboundInput, type QueueOutboundResult } from './outbound.js'
import type { ConversationStatus } from './schema.js'

export type ConversationAction = 'handoff' | 'release' | 'resolve'

const EVENT_OF: Record<ConversationAction, LifecycleEvent> = { handoff: 'handoff', release: 'release', resolve: 'agent_resolve' }

export type ConversationActionResult =
  | {
      kind: 'done'
      status: ConversationStatus
      previous: ConversationStatus
      /** Whether the status moved (a second resolve changes nothing but the turn token). */
      changed: boolean
      turnToken: number
      /** resolve: when the planned survey is due, for its wake-up. */
      surveyDueAt?: Date | undefined
      /** resolve: the survey planned for this resolution (undefined: none, or already planned). */
      surveyId?: number | undefined
    }
  | { kind: 'notFound' }
  /** The action does not apply in this state (release of one the bot has, resolve of a closed one). */
  | { kind: 'wrongState'; status: ConversationStatus; code: LifecycleErrorCode }

export interface ConversationActionInput {
  conversationId: number
  action: ConversationAction
  /** Who acted; recorded with the event. @defaultValue 'agent' */
  agent?: string | undefined
  /** resolve: plan the NPS survey this many ms after now (NPS_DELAY_MS); undefined: no survey (NPS_ENABLED=false). */
  surveyDelayMs?: number | undefined
  now: Date
}

interface LockedConversation {
  status: ConversationStatus
  contact_id: string
  last_seq: number
  department: string | null
}

/**
 * Applies one action in one transaction. `release` also counts every message the customer
 * wrote while a person owned the conversation as answered: the bot answers only what comes
 * after it. `resolve` plans the NPS survey of this resolution (decision 0014: at most one per
 * resolution); milestone B's `nps-survey` processor sends it.
 */
export async function applyConversationAction(db: Db, input: ConversationActionInput): Promise<ConversationActionResult> {
  const { conversationId: c, now, action } = input
  return db.transaction(async (tx) => {
    const [row] = await queryRows<LockedConversation>(
      tx,
      sql`select status, contact_id, last_seq, department from conversations where id = ${c} for update`,
    )
    if (row === undefined) return { kind: 'notFound' as const }
    const t = transition(row.status, EVENT_OF[action])
    if (!t.ok) return { kind: 'wrongState' as const, status: row.status, code: t.code }
    const released = action === 'release'
    const [changed] = await queryRows<{ turn_token: string }>(
      tx,
      sql`update conversations u set status = ${t.to}, turn_token = u.turn_token + 1, lease_until = 'epoch', updated_at = ${now},
                 answered_seq = case when ${released} then u.last_seq else u.answered_seq end,
                 turn_due_at = case when ${released} then null else u.turn_due_at end,
                 first_unanswered_at = case when ${released} then null else u.first_unanswered_at end,
                 handoff_alert_due_at = null
          where u.id = ${c}
          returning u.turn_token`,
    )
    await tx.execute(
      sql`update messages set provider_status = 'superseded', updated_at = ${now}
          where conversation_id = ${c} and kind = 'reply' and provider_status = 'pending'`,
    )
    await recordAgentEvent(tx, { conversationId: c, from: row.status, to: t.to, cause: t.cause, agent: input.agent, at: now })
    let surveyId: number | undefined
    let surveyDueAt: Date | undefined
    if (action === 'resolve' && t.changed && input.surveyDelayMs !== undefined) {
      const dueAt = new Date(now.getTime() + input.surveyDelayMs)
      const planned = await planSurvey(tx, {
        conversationId: c,
        contactId: Number(row.contact_id),
        resolvedSeq: row.last_seq,
        department: row.department,
        dueAt,
      })
      surveyId = planned?.id
      if (planned !== undefined) surveyDueAt = dueAt
    }
    return { kind: 'done' as const, status: t.to, previous: row.status, changed: t.changed, turnToken: Number(changed!.turn_token), surveyId, surveyDueAt }
  })
}

async function recordAgentEvent(
  tx: Pick<Db, 'execute'>,
  e: { conversationId: number; from: ConversationStatus; to: ConversationStatus; cause: LifecycleEvent; agent: string | undefined; at: Date },
): Promise<void> {
  await tx.execute(
    sql`insert into conversation_events (conversation_id, from_status, to_status, cause, agent, at)
        values (${e.conversationId}, ${e.from}, ${e.to}, ${e.cause}, ${e.agent ?? 'agent'}, ${e.at})`,
  )
}

/** Meta refuses free-form messages once the customer's last message is older than this (131047). */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000

export type AgentMessageResult =
  | QueueOutboundResult
  /** A free-form text outside Meta's 24 h window; only a template may go. */
  | { kind: 'outsideWindow'; lastInboundAt: Date | null }

/**
 * An agent writes to the customer: the row is queued in the outbox (kind `agent`, or
 * `template` for a template) and the conversation becomes the person's (`takeOver`), in one
 * transaction with the `agent_message` event. A text is refused outside the 24 h window,
 * counted from Meta's timestamp of the customer's last message. A repeated
 * `Idempotency-Key` queues nothing and records nothing.
 */
export async function queueAgentMessage(
  db: Db,
  input: Omit<QueueOutboundInput, 'kind' | 'takeOver' | 'meta'> & { agent?: string | undefined },
): Promise<AgentMessageResult> {
  const { conversationId: c, now } = input
  // Checked before anything else, so a malformed message is a 400 whatever the window says.
  const parsed = parseOutboundContent(input.content)
  if (!parsed.ok) throw new InvalidOutboundContentError(parsed.issues)
  const isTemplate = parsed.content.type === 'template'
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ status: ConversationStatus; last_inbound_sent_at: unknown }>(
      tx,
      sql`select c.status,
                 (select m.sent_at from messages m where m.conversation_id = c.id and m.direction = 'in'
                  order by m.seq desc limit 1) as last_inbound_sent_at
          from conversations c where c.id = ${c} for update`,
    )
    if (row === undefined) return { kind: 'notFound' as const }
    const last = row.last_inbound_sent_at === null ? null : new Date(row.last_inbound_sent_at as string | Date)
    if (!isTemplate && (last === null || now.getTime() - last.getTime() > SERVICE_WINDOW_MS)) {
      return { kind: 'outsideWindow' as const, lastInboundAt: last }
    }
    const queued = await queueOutbound(tx, {
      conversationId: c,
      kind: isTemplate ? 'template' : 'agent',
      content: parsed.content,
      meta: { agent: input.agent ?? 'agent' },
      idempotencyKey: input.idempotencyKey,
      takeOver: true,
      now,
    })
    if (queued.kind === 'queued') {
      await tx.execute(sql`update conversations set handoff_alert_due_at = null where id = ${c}`)
      const t = transition(row.status, 'agent_message')
      if (t.ok) await recordAgentEvent(tx, { conversationId: c, from: row.status, to: t.to, cause: t.cause, agent: input.agent, at: now })
    }
    return queued
  })
}

/** Hand-off: a person takes the conversation; the bot goes silent. */
export const handOffConversation = (db: Db, conversationId: number, now: Date, agent?: string) =>
  applyConversationAction(db, { conversationId, action: 'handoff', now, agent })
/** Back to the bot: the next customer message gets a bot reply. */
export const releaseConversation = (db: Db, conversationId: number, now: Date, agent?: string) =>
  applyConversationAction(db, { conversationId, action: 'release', now, agent })
/** Resolved by a person; with `surveyDelayMs` the NPS survey is planned. */
export const resolveConversation = (db: Db, conversationId: number, now: Date, agent?: string, surveyDelayMs?: number) =>
  applyConversationAction(db, { conversationId, action: 'resolve', now, agent, surveyDelayMs })
