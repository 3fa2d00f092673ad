import { stripNul, stripNulDeep } from '../domain/index.js'

/** A customer-supplied string as a column value: NUL stripped (PostgreSQL rejects it), undefined → null. */
export function nullableText(v: string | undefined): string | null {
  return v === undefined ? null : stripNul(v)
}

/** A JSON value as text for a `jsonb` column: NUL stripped everywhere, undefined/null → null. */
export function jsonText(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(stripNulDeep(v))
}
