import type { FastifyPluginAsync } from 'fastify'
import { ALERT_RULES } from '../ops/index.js'
import { ALERT_SEVERITIES, listAlerts, MAX_ALERTS_PAGE, type Db, type StoredAlert, type StoredAlertSeverity } from '../store/index.js'
import { authHeaders } from './admin-auth.js'
import { parseDateTime, rejectUnknownQueryKeys } from './admin-reports.js'
import { errorResponses } from './errors.js'

export interface AlertRoutesOptions {
  db: Db
}

interface AlertsQuery {
  limit: number
  since?: string
  severity?: StoredAlertSeverity
}

const alertsQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_ALERTS_PAGE, default: 50 },
  // RFC 3339 with its offset; checked field by field by parseDateTime.
  since: { type: 'string', minLength: 1, maxLength: 40 },
  severity: { type: 'string', enum: [...ALERT_SEVERITIES] },
} as const

const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    alert: { type: 'string' },
    severity: { type: 'string' },
    subject: { type: 'string' },
    text: { type: 'string' },
    // Codes, counts and ids (decision 0019), as the alert was raised.
    details: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'alert', 'severity', 'subject', 'text', 'details', 'at'],
} as const

/**
 * `GET /api/alerts`: the alerts that fired (src/ops/alerts.ts keeps each one in the `alerts`
 * table), newest first, so an operator sees them without an ALERT_WEBHOOK_URL receiver.
 */
export const alertRoutes: FastifyPluginAsync<AlertRoutesOptions> = async (app, options) => {
  app.get<{ Querystring: AlertsQuery }>(
    '/alerts',
    {
      preValidation: rejectUnknownQueryKeys(alertsQueryProperties),
      schema: {
        headers: authHeaders,
        querystring: {
          type: 'object',
          additionalProperties: false,
          propertyNames: { enum: Object.keys(alertsQueryProperties) },
          properties: alertsQueryProperties,
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: itemSchema } }, required: ['items'] },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, since, severity } = request.query
      const sinceAt = since === undefined ? undefined : parseDateTime(since, 'since must be an ISO date-time with its offset (2026-11-30T08:00:00-03:00)')
      const rows = await listAlerts(options.db, { limit, since: sinceAt, severity })
      return { items: rows.map(toItem) }
    },
  )
}

function toItem(row: StoredAlert) {
  // A rule a later version renamed or removed still lists, under its own name.
  const text = Object.hasOwn(ALERT_RULES, row.rule) ? ALERT_RULES[row.rule as keyof typeof ALERT_RULES].text : row.rule
  return { id: row.id, alert: row.rule, severity: row.severity, subject: row.subject, text, details: row.details, at: row.raisedAt.toISOString() }
}
