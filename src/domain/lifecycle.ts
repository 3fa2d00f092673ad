/**
 * The conversation lifecycle (issue #9): one pure transition function, so the turn, the
 * survey and idle timers and the agents' API all move a conversation by the same rules, and
 * each move is stored with its cause (`conversation_events`).
 *
 * ```
 * open ─ closing cue | agent resolve | idle timeout ─▶ resolved ─ survey sent ─▶ awaiting_nps
 * resolved ─ survey skipped | opt-out ─▶ closed
 * awaiting_nps ─ thanks | opt-out | NPS window expired ─▶ closed
 * resolved | awaiting_nps | closed ─ customer message ─▶ open
 * every status ─ handoff | agent message ─▶ handoff ─ release ─▶ open
 *                                            handoff ─ agent resolve ─▶ resolved
 * ```
 *
 * A transition may leave the status as it is (a customer writing while a person owns the
 * conversation): `changed` says so, and callers store only changes. An event that makes no
 * sense in a status (release of a conversation the bot has, resolve of a closed one, a
 * survey timer firing after the customer wrote again) is refused with a code: the HTTP API
 * answers it with 409, a timer treats it as stale and does nothing.
 */

import type { BusinessCalendar } from './business-hours.js'

export const CONVERSATION_STATUSES = ['open', 'handoff', 'resolved', 'awaiting_nps', 'closed'] as const
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number]

export const LIFECYCLE_EVENTS = [
  /** The customer wrote something that is none of the more specific events below. */
  'customer_message',
  /** The customer closed ("obrigado, era só isso"), or the AI provider said `resolved`. */
  'closing_cue',
  /** A person resolved it (`POST …/resolve`). */
  'agent_resolve',
  /** CONVERSATION_IDLE_MS passed after the bot's last answer with no reply. */
  'idle_timeout',
  /** The NPS question left (text, or the template outside the 24 h window). */
  'survey_sent',
  /** The survey will not be sent (opted out, surveyed recently, no template outside the window, refused template). */
  'survey_skipped',
  /** A typed score 0–10 answered the survey. */
  'score',
  /** The answer to "Qual o principal motivo da sua nota?". */
  'comment',
  /** Our thank-you after the survey went out: the conversation is over. */
  'thanks',
  /** "parar" / "não quero pesquisa": the customer is never surveyed again. */
  'opt_out',
  /** NPS_RESPONSE_WINDOW_MS passed with no answer to the survey. */
  'nps_window_expired',
  /** A person takes it: the customer asked, the last attempt failed, or an agent took it. */
  'handoff',
  /** Back to the bot (`POST …/release`). */
  'release',
  /** A person wrote to the customer (`POST …/messages`); takes the conversation if the bot had it. */
  'agent_message',
] as const
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number]

/**
 * Why an event was refused; the HTTP API answers each with 409 and this code.
 * - `ATD_CONVERSATION_NOT_IN_HANDOFF`: release of a conversation no person owns.
 * - `ATD_CONVERSATION_CLOSED`: resolve of (or a survey step on) a closed conversation.
 * - `ATD_CONVERSATION_WRONG_STATE`: any other event the status does not accept.
 */
export type LifecycleErrorCode = 'ATD_CONVERSATION_NOT_IN_HANDOFF' | 'ATD_CONVERSATION_CLOSED' | 'ATD_CONVERSATION_WRONG_STATE'

export type Transition =
  | { ok: true; from: ConversationStatus; to: ConversationStatus; cause: LifecycleEvent; changed: boolean }
  | { ok: false; from: ConversationStatus; event: LifecycleEvent; code: LifecycleErrorCode; message: string }

type Table = Record<ConversationStatus, Partial<Record<LifecycleEvent, ConversationStatus>>>

/** Every accepted (status, event) pair and where it leads; anything absent is refused. */
const NEXT: Table = {
  open: {
    customer_message: 'open',
    closing_cue: 'resolved',
    agent_resolve: 'resolved',
    idle_timeout: 'resolved',
    // An opt-out outside a survey is recorded on the contact; the conversation goes on.
    opt_out: 'open',
    handoff: 'handoff',
    agent_message: 'handoff',
  },
  resolved: {
    customer_message: 'open',
    // A second thanks or a second resolve changes nothing: no second survey.
    closing_cue: 'resolved',
    agent_resolve: 'resolved',
    survey_sent: 'awaiting_nps',
    survey_skipped: 'closed',
    opt_out: 'closed',
    handoff: 'handoff',
    agent_message: 'handoff',
  },
  awaiting_nps: {
    // Anything that is not a score, a comment or an opt-out is a new question: back to the bot.
    customer_message: 'open',
    closing_cue: 'awaiting_nps',
    agent_resolve: 'awaiting_nps',
    score: 'awaiting_nps',
    comment: 'awaiting_nps',
    thanks: 'closed',
    opt_out: 'closed',
    nps_window_expired: 'closed',
    handoff: 'handoff',
    agent_message: 'handoff',
  },
  closed: {
    customer_message: 'open',
    closing_cue: 'closed',
    opt_out: 'closed',
    handoff: 'handoff',
    agent_message: 'handoff',
  },
  handoff: {
    // The bot stays silent while a person owns the conversation, whatever the customer writes.
    customer_message: 'handoff',
    closing_cue: 'handoff',
    opt_out: 'handoff',
    handoff: 'handoff',
    agent_message: 'handoff',
    agent_resolve: 'resolved',
    release: 'open',
  },
}

/** Where `event` takes a conversation in status `from`, or why it cannot. */
export function transition(from: ConversationStatus, event: LifecycleEvent): Transition {
  const to = NEXT[from][event]
  if (to !== undefined) return { ok: true, from, to, cause: event, changed: to !== from }
  const code: LifecycleErrorCode =
    event === 'release' ? 'ATD_CONVERSATION_NOT_IN_HANDOFF' : from === 'closed' ? 'ATD_CONVERSATION_CLOSED' : 'ATD_CONVERSATION_WRONG_STATE'
  return { ok: false, from, event, code, message: `event '${event}' is not accepted in status '${from}'; accepted: ${acceptedEvents(from).join(', ')}` }
}

/** The events a status accepts, in {@link LIFECYCLE_EVENTS} order. */
export function acceptedEvents(status: ConversationStatus): LifecycleEvent[] {
  return LIFECYCLE_EVENTS.filter((e) => NEXT[status][e] !== undefined)
}

/** Whether the bot answers customer messages in this status (a person owns `handoff`). */
export function isBotActive(status: ConversationStatus): boolean {
  return status !== 'handoff'
}

export function isConversationStatus(value: unknown): value is ConversationStatus {
  return typeof value === 'string' && (CONVERSATION_STATUSES as readonly string[]).includes(value)
}

/**
 * When the customer's silence resolves a conversation: CONVERSATION_IDLE_MS after the bot's
 * last answer. Null when `idleMs` is 0 (never). Stored in `conversations.idle_due_at`.
 */
export function idleDueAt(lastAnswerAt: Date, idleMs: number): Date | null {
  return idleMs > 0 ? new Date(lastAnswerAt.getTime() + idleMs) : null
}

/**
 * When a hand-off still waiting for a person raises its alert: HANDOFF_ALERT_MS of business
 * time after it began (a hand-off at 17:55 on Friday alerts at 08:10 on Saturday). Null when
 * `alertMs` is 0 (no alert).
 */
export function handoffAlertDueAt(handoffAt: Date, alertMs: number, calendar: Pick<BusinessCalendar, 'addBusinessMs'>): Date | null {
  return alertMs > 0 ? calendar.addBusinessMs(handoffAt, alertMs) : null
}
