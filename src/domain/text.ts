/**
 * PostgreSQL `text` rejects U+0000, and one such character would fail a whole insert.
 * Strip it (and only it) from anything a customer sent before it reaches the database.
 */
export function stripNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value
}

/** Deep copy of a JSON value with NUL stripped from every string, keys included. */
export function stripNulDeep(value: unknown): unknown {
  if (typeof value === 'string') return stripNul(value)
  if (Array.isArray(value)) return value.map(stripNulDeep)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[stripNul(k)] = stripNulDeep(v)
    return out
  }
  return value
}
