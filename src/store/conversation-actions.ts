/**
 * What a person does to a conversation (milestone C's admin routes call these): take it
 * (hand-off), give it back to the bot (release), resolve it. Each bumps the conversation's
 * turn token and supersedes the bot's pending reply in the same statement as the status
 * change, so a bot turn in the middle of its AI call can no longer send (invariant 6): its
 * every later write presents a stale token. An agent's message takes the conversation the
 * same way (store/outbound.ts, `takeOver`).
 */
import { sql } from 'drizzle-orm'
import { queryRows, type Db } from './db.js'
import type { ConversationStatus } from './schema.js'

export type ConversationAction = 'handoff' | 'release' | 'resolve'

export type ConversationActionResult =
  | { kind: 'done'; status: ConversationStatus; previous: ConversationStatus; turnToken: number }
  | { kind: 'notFound' }
  /** The action does not apply in this state (release of one the bot has, resolve of a closed one). */
  | { kind: 'wrongState'; status: ConversationStatus }

/** The statuses each action applies to, and the status it leaves. */
const RULES: Record<ConversationAction, { from: readonly ConversationStatus[]; to: ConversationStatus }> = {
  handoff: { from: ['open', 'handoff', 'resolved', 'awaiting_nps'], to: 'handoff' },
  release: { from: ['handoff'], to: 'open' },
  resolve: { from: ['open', 'handoff'], to: 'resolved' },
}

/**
 * Applies one action in one statement. `release` also counts every message the customer
 * wrote while a person owned the conversation as answered: the bot answers only what comes
 * after it (issue #9, milestone C).
 */
export async function applyConversationAction(
  db: Db,
  input: { conversationId: number; action: ConversationAction; now: Date },
): Promise<ConversationActionResult> {
  const { conversationId: c, now, action } = input
  const rule = RULES[action]
  const from = sql.join(rule.from.map((s) => sql`${s}`), sql`, `)
  const released = action === 'release'
  const [r] = await queryRows<{ previous: ConversationStatus; status: ConversationStatus | null; turn_token: string | null }>(
    db,
    sql`with before as (
          select id, status from conversations where id = ${c} for update),
        changed as (
          update conversations u set status = ${rule.to}, turn_token = u.turn_token + 1, lease_until = 'epoch', updated_at = ${now},
                 answered_seq = case when ${released} then u.last_seq else u.answered_seq end,
                 turn_due_at = case when ${released} then null else u.turn_due_at end,
                 first_unanswered_at = case when ${released} then null else u.first_unanswered_at end
          from before b
          where u.id = b.id and b.status in (${from})
          returning u.status, u.turn_token),
        superseded as (
          update messages set provider_status = 'superseded', updated_at = ${now}
          where conversation_id = ${c} and kind = 'reply' and provider_status = 'pending'
            and exists (select 1 from changed))
        select b.status as previous, ch.status, ch.turn_token from before b left join changed ch on true`,
  )
  if (r === undefined) return { kind: 'notFound' }
  if (r.status === null) return { kind: 'wrongState', status: r.previous }
  return { kind: 'done', status: r.status, previous: r.previous, turnToken: Number(r.turn_token) }
}

/** Hand-off: a person takes the conversation; the bot goes silent. */
export const handOffConversation = (db: Db, conversationId: number, now: Date) =>
  applyConversationAction(db, { conversationId, action: 'handoff', now })
/** Back to the bot: the next customer message gets a bot reply. */
export const releaseConversation = (db: Db, conversationId: number, now: Date) =>
  applyConversationAction(db, { conversationId, action: 'release', now })
/** Resolved by a person (milestone B starts the NPS survey from here). */
export const resolveConversation = (db: Db, conversationId: number, now: Date) =>
  applyConversationAction(db, { conversationId, action: 'resolve', now })
