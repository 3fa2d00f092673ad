import { and, desc, eq, gte, type SQL } from 'drizzle-orm'
import { storableJson, storableText } from '../domain/index.js'
import type { Db } from './db.js'
import { alerts, type StoredAlertSeverity } from './schema.js'

/** Most alerts `GET /api/alerts` answers at once. */
export const MAX_ALERTS_PAGE = 200
/** Longest subject kept: subjects are queue names, codes and ids, far shorter. */
const MAX_SUBJECT_CHARS = 200

/** One alert as raised (src/ops/alerts.ts): a rule, its severity, a subject, codes and counts. */
export interface AlertInput {
  rule: string
  severity: StoredAlertSeverity
  subject: string
  details: Readonly<Record<string, string | number | boolean | null>>
  at: Date
}

export interface StoredAlert {
  id: number
  rule: string
  severity: StoredAlertSeverity
  subject: string
  details: Record<string, unknown>
  raisedAt: Date
}

export interface AlertFilter {
  limit: number
  /** Only alerts raised at or after this instant. */
  since?: Date | undefined
  severity?: StoredAlertSeverity | undefined
}

/**
 * Keeps a batch of alerts, in one statement. Text is made storable (no U+0000, no lone
 * surrogate), so no value of an alert can fail the batch.
 */
export async function insertAlerts(db: Db, batch: readonly AlertInput[]): Promise<void> {
  if (batch.length === 0) return
  await db.insert(alerts).values(
    batch.map((a) => ({
      rule: storableText(a.rule),
      severity: a.severity,
      subject: storableText(a.subject.slice(0, MAX_SUBJECT_CHARS)),
      details: storableJson(a.details).value,
      raisedAt: a.at,
    })),
  )
}

/** Alerts newest first (by when they fired, then by id), at most `limit`. */
export async function listAlerts(db: Db, filter: AlertFilter): Promise<StoredAlert[]> {
  const where: SQL[] = []
  if (filter.since !== undefined) where.push(gte(alerts.raisedAt, filter.since))
  if (filter.severity !== undefined) where.push(eq(alerts.severity, filter.severity))
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.raisedAt), desc(alerts.id))
    .limit(Math.min(Math.max(1, filter.limit), MAX_ALERTS_PAGE))
  return rows.map((r) => ({ ...r, details: (r.details ?? {}) as Record<string, unknown> }))
}
