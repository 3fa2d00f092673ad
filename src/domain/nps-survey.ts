/**
 * Whether a due NPS survey leaves, and how (issue #9, milestone B): the rules the
 * nps-survey processor applies when its wake-up fires, kept pure so each one is tested
 * with plain values and the processor only reads rows, asks, and writes the answer.
 */
import type { ConversationStatus } from './lifecycle.js'

/** Meta's customer-service window: free-form messages only within 24 h of the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000

/**
 * A free-form survey is not started in the window's last minute: it could reach Meta after
 * the window closed (131047) and be refused.
 */
export const WINDOW_SAFETY_MS = 60_000

const DAY_MS = 24 * 60 * 60 * 1000

export const SURVEY_SKIP_REASONS = [
  /** NPS_ENABLED=false. */
  'disabled',
  /** The conversation is no longer `resolved` (reopened, handed off, closed). */
  'conversation_moved',
  /** The customer wrote after the resolution: the survey would interrupt a new question. */
  'customer_wrote',
  /** "parar" / "não quero pesquisa", or Meta says the customer stopped such messages (131050). */
  'opted_out',
  /** Surveyed less than NPS_MIN_INTERVAL_DAYS ago. */
  'surveyed_recently',
  /** Outside the 24 h window and no NPS_TEMPLATE_NAME. */
  'outside_window_no_template',
  /** Outside the window, refused by Meta (131047). */
  'outside_window',
  /** Meta refused the template (132xxx: missing, paused, disabled, parameters, policy). */
  'template_refused',
  /** Meta's per-user marketing limit (131049): retrying only makes it worse. */
  'per_user_limit',
] as const
export type SurveySkipReason = (typeof SURVEY_SKIP_REASONS)[number]

export interface SurveyDecisionInput {
  now: Date
  enabled: boolean
  /** The conversation's status and last inbound seq now, and the seq at resolution. */
  status: ConversationStatus
  lastSeq: number
  resolvedSeq: number
  /** Meta's timestamp of the customer's last message (the window counts from it); null: none. */
  lastCustomerMessageAt: Date | null
  optedOutAt: Date | null
  lastSurveyedAt: Date | null
  /** NPS_MIN_INTERVAL_DAYS; 0: no limit. */
  minIntervalDays: number
  /** NPS_TEMPLATE_NAME / NPS_TEMPLATE_LANGUAGE; undefined: unset. */
  template: { name: string; language: string } | undefined
}

export type SurveyDecision =
  /** The knowledge base's `messages.nps` as plain text, so any typed answer works. */
  | { kind: 'text' }
  | { kind: 'template'; name: string; language: string }
  | { kind: 'skip'; reason: SurveySkipReason }

/** What a due survey does now. Checked in order: on, still relevant, wanted, then how. */
export function decideSurvey(input: SurveyDecisionInput): SurveyDecision {
  if (!input.enabled) return skip('disabled')
  if (input.lastSeq > input.resolvedSeq) return skip('customer_wrote')
  if (input.status !== 'resolved') return skip('conversation_moved')
  if (input.optedOutAt !== null) return skip('opted_out')
  if (input.minIntervalDays > 0 && input.lastSurveyedAt !== null && input.now.getTime() - input.lastSurveyedAt.getTime() < input.minIntervalDays * DAY_MS) {
    return skip('surveyed_recently')
  }
  if (isInsideWindow(input.lastCustomerMessageAt, input.now)) return { kind: 'text' }
  return input.template === undefined ? skip('outside_window_no_template') : { kind: 'template', ...input.template }
}

/** Whether a free-form message sent now still falls inside the customer-service window. */
export function isInsideWindow(lastCustomerMessageAt: Date | null, now: Date): boolean {
  if (lastCustomerMessageAt === null) return false
  return now.getTime() < lastCustomerMessageAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS - WINDOW_SAFETY_MS
}

/**
 * Meta errors that end a survey for good (recorded as the skip reason, never retried), or
 * undefined for an ordinary failure that the queue's retries handle.
 */
export function surveyRefusal(metaCode: number | undefined): SurveySkipReason | undefined {
  if (metaCode === undefined) return undefined
  if (metaCode === 131049) return 'per_user_limit'
  if (metaCode === 131050) return 'opted_out'
  if (metaCode === 131047) return 'outside_window'
  if (metaCode >= 132000 && metaCode <= 132999) return 'template_refused'
  return undefined
}

const skip = (reason: SurveySkipReason): SurveyDecision => ({ kind: 'skip', reason })
