export interface DebounceSettings {
  /** The turn waits until the conversation has been quiet this long. */
  debounceMs: number
  /** ...but never longer than this after the first unanswered message. */
  debounceMaxMs: number
}

/**
 * When the next turn of a conversation may run (invariant 4): once the customer has been
 * quiet for `debounceMs`, but never later than `debounceMaxMs` after the first message that
 * is still unanswered, so a customer who keeps typing still gets answers.
 */
export function turnDueAt(
  firstUnansweredAt: Date,
  lastInboundAt: Date,
  settings: DebounceSettings,
): Date {
  const quiet = lastInboundAt.getTime() + settings.debounceMs
  const cap = firstUnansweredAt.getTime() + settings.debounceMaxMs
  return new Date(Math.min(quiet, cap))
}
