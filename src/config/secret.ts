const REDACTED = '[redacted]'

/**
 * A configuration value that must never reach a log line or an error message. Printing,
 * JSON-serialising or inspecting it yields `[redacted]`; `reveal()` is the one way out.
 */
export interface Secret {
  reveal(): string
  toString(): string
  toJSON(): string
}

export function secret(value: string): Secret {
  const s: Secret = {
    reveal: () => value,
    toString: () => REDACTED,
    toJSON: () => REDACTED,
  }
  Object.defineProperty(s, Symbol.for('nodejs.util.inspect.custom'), { value: () => REDACTED })
  return Object.freeze(s)
}

/** An optional setting as a {@link Secret}: unset stays undefined. */
export const maybeSecret = (v: string | undefined) => (v === undefined ? undefined : secret(v))
