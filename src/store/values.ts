import { sql } from 'drizzle-orm'
import { storableJson, storableText } from '../domain/index.js'

/** A string as a column value (see `storableText`); undefined → null. */
export function nullableText(v: string | undefined): string | null {
  return v === undefined ? null : storableText(v)
}

/**
 * A value as text for a `jsonb` column: every string made storable, nesting bounded (see
 * `storableJson`, which never recurses, so no value can overflow the stack here); undefined
 * or null → null.
 */
export function jsonText(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(storableJson(v).value)
}

/**
 * Inbound media analysed before their turn (the `image-analysis` queue analyses all media):
 * pictures are read for codes, voice notes transcribed, PDF documents read for their text. One rule, used by every statement
 * that decides whether a message waits for its analysis.
 */
export const ANALYSED_MEDIA = sql.raw(
  `(m.type in ('image', 'audio') or (m.type = 'document' and lower(m.media->>'mimeType') like 'application/pdf%'))`,
)
