import { z } from 'zod'
import { ms, optionalString, url } from './env-fields.js'

/** Metrics, alerts and outgoing events (docs/operations.md). */
export const opsEnv = {
  /**
   * Bearer token of `GET /metrics` (Prometheus). Set: every listener serving `/metrics` asks
   * for it. Unset: `/metrics` is open on PORT in development; with NODE_ENV=production it is
   * open only on the admin listener (ADMIN_PORT) and on METRICS_PORT, so business volumes are
   * not published on the public webhook host. At least 32 characters when NODE_ENV=production.
   */
  METRICS_TOKEN: optionalString.refine((v) => v === undefined || !/\s/.test(v), {
    message: 'must not contain whitespace: an Authorization: Bearer header cannot carry it',
  }),
  /**
   * Port of a listener serving only `GET /metrics` (and `/healthz`), bound to HOST: how
   * `atende worker`, which has no other listener, is scraped. @defaultValue unset: no such listener
   */
  METRICS_PORT: optionalString.pipe(z.coerce.number<string | undefined>().int().min(1).max(65_535).optional()),
  /** Where alerts are POSTed (Slack-compatible body); unset: alerts go to the log only. */
  ALERT_WEBHOOK_URL: url(['http:', 'https:']),
  /** An alert of one rule and subject is sent at most once per this long. @defaultValue 600_000 */
  ALERT_COOLDOWN_MS: ms(600_000),
  /** A queue with more jobs waiting than this for ALERT_BACKLOG_SECONDS raises `queue_backlog`. @defaultValue 1_000 */
  ALERT_BACKLOG: z.coerce.number().int().min(1).default(1_000),
  /** How long a queue's backlog stays above ALERT_BACKLOG before the alert. @defaultValue 300 */
  ALERT_BACKLOG_SECONDS: z.coerce.number().int().min(1).default(300),
  /**
   * Days each alert is kept in the `alerts` table (`GET /api/alerts`, the dashboard's
   * overview); older ones are deleted by the hourly retention sweep. Alerts hold no customer
   * data, so this is apart from RETENTION_DAYS, and never 0: the table stays bounded. @defaultValue 30
   */
  ALERT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /**
   * Receiver of the outgoing events (CRM, ERP, n8n): `message.received`, `message.sent`,
   * `conversation.handoff`, `conversation.resolved`, `nps.answered`, `contact.erased`, one per
   * POST, signed. Needs EVENTS_WEBHOOK_SECRET. @defaultValue unset: no events are kept or sent
   */
  EVENTS_WEBHOOK_URL: url(['http:', 'https:']),
  /** Key of the events' `X-Atende-Signature-256` (HMAC-SHA256 of the raw body). */
  EVENTS_WEBHOOK_SECRET: optionalString,
}
