export interface DebounceSettings {
  /** The turn waits until the conversation has been quiet this long. */
  debounceMs: number
  /** ...but never longer than this after the first unanswered message. */
  debounceMaxMs: number
}

// The rule these settings feed (invariant 4: due once quiet for debounceMs, never later than
// debounceMaxMs after the first unanswered message) is computed in one place only, the SQL
// function atende_turn_due_at (src/store/migrations/0004_turn_due_function.sql), because both
// places that set a due time do it inside one statement: docs/decisions/0008-turn-due-single-source.md.
