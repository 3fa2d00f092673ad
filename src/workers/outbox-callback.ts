/**
 * What every outbox send passes as `biz_opaque_callback_data`: the row's id, so the status
 * webhook settles a row whose send outcome was unknown (ingest/to-rows.ts reads it back).
 */
export function outboxCallbackData(rowId: number): string {
  return `out:${rowId}`
}
