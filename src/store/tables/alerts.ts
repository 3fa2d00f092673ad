import { sql } from 'drizzle-orm'
import { check, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { id, ts } from './columns.js'

export const ALERT_SEVERITIES = ['warning', 'critical'] as const
export type StoredAlertSeverity = (typeof ALERT_SEVERITIES)[number]

/**
 * Every alert that fired (src/ops/alerts.ts, decision 0019), for `GET /api/alerts` and the
 * dashboard's overview. No customer data by design (invariant 8): `rule` names a condition,
 * `subject` is a queue name, a code or a row id, `details` holds counts, codes and ids. Rows
 * older than ALERT_RETENTION_DAYS are deleted by the retention sweeper.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: id(),
    /** An `ALERT_RULES` key (`job_failed`, …). */
    rule: text('rule').notNull(),
    severity: text('severity').$type<StoredAlertSeverity>().notNull(),
    /** What the alert is about; `-` when the rule has a single subject. */
    subject: text('subject').notNull(),
    /** Numbers, flags, codes and ids only. */
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    /** When the alert fired, by the raising process's clock. */
    raisedAt: ts('raised_at').notNull(),
  },
  (t) => [
    index('alerts_raised_at_idx').on(t.raisedAt),
    check('alerts_severity_check', sql`${t.severity} in ('warning', 'critical')`),
  ],
)
