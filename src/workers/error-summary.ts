import { isAtendeError, WhatsAppApiError } from '../errors.js'

/** What a failed send stores on its outbox row: our code and Meta's, never the request. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err instanceof WhatsAppApiError) return { code: err.code, metaCode: err.metaCode, metaTitle: err.metaTitle, message: err.message }
  if (isAtendeError(err)) return { code: err.code, message: err.message }
  return { message: err instanceof Error ? err.message : String(err) }
}
