import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { startOfDay } from '../domain/index.js'
import { BadRequestError } from '../errors.js'
import { npsReport, type Db } from '../store/index.js'
import { authHeaders } from './admin-auth.js'
import { errorResponses } from './errors.js'

export interface ReportRoutesOptions {
  db: Db
  /** BUSINESS_TIME_ZONE: a date (`2026-11-30`) is that whole day there. */
  timeZone: string
  /** The clock of the default range (the last 30 days). */
  now: () => Date
}

/** The range when `from` or `to` is left out: the 30 days before `to`. */
export const DEFAULT_REPORT_DAYS = 30
const DAY_MS = 86_400_000

interface ReportQuery {
  from?: string
  to?: string
  department?: string
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
/** RFC 3339: a date-time with its offset; a local time without one would be a guess. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/

const reportQueryProperties = {
  from: { type: 'string', minLength: 10, maxLength: 40 },
  to: { type: 'string', minLength: 10, maxLength: 40 },
  // A knowledge-base department id (src/ai/knowledge-base.ts).
  department: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]*$' },
} as const

const figures = {
  responses: { type: 'integer' },
  promoters: { type: 'integer' },
  passives: { type: 'integer' },
  detractors: { type: 'integer' },
  nps: { type: ['integer', 'null'] },
} as const
const figureKeys = Object.keys(figures)

/** `GET /api/reports/nps`: the NPS of the surveys answered in a range, overall and per department. */
export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, options) => {
  app.get<{ Querystring: ReportQuery }>(
    '/reports/nps',
    {
      preValidation: rejectUnknownQueryKeys(reportQueryProperties),
      schema: {
        headers: authHeaders,
        querystring: {
          type: 'object',
          additionalProperties: false,
          propertyNames: { enum: Object.keys(reportQueryProperties) },
          properties: reportQueryProperties,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              ...figures,
              byDepartment: {
                type: 'array',
                items: { type: 'object', properties: { department: { type: ['string', 'null'] }, ...figures }, required: ['department', ...figureKeys] },
              },
            },
            required: [...figureKeys, 'byDepartment'],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { from, to } = reportRange(request.query, options)
      return npsReport(options.db, { from, to, department: request.query.department })
    },
  )
}

/**
 * [from, to) of a report. A date is a whole day in the business's time zone, `to` included;
 * a date-time is that instant, `to` included. Missing ends: `to` now, `from` 30 days before `to`.
 */
export function reportRange(query: ReportQuery, options: Pick<ReportRoutesOptions, 'timeZone' | 'now'>): { from: Date; to: Date } {
  const to = query.to === undefined ? options.now() : withinYear9999(parseEdge('to', query.to, options.timeZone))
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_REPORT_DAYS * DAY_MS) : withinYear9999(parseEdge('from', query.from, options.timeZone))
  if (from.getTime() >= to.getTime()) {
    throw new BadRequestError(`from must be before to; got from=${JSON.stringify(query.from ?? null)}, to=${JSON.stringify(query.to ?? null)}`)
  }
  return { from, to }
}

/**
 * The last instant a range edge may hold. A date of year 9999 is accepted, but the end of its
 * day (or an instant with a western offset) falls in year 10000, which `toISOString` writes
 * with a six-digit year the database refuses: such an edge is read as the end of year 9999.
 */
const LAST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

function withinYear9999(edge: Date): Date {
  return edge.getTime() > LAST_INSTANT_MS ? new Date(LAST_INSTANT_MS) : edge
}

function parseEdge(name: 'from' | 'to', value: string, timeZone: string): Date {
  const expected = `${name} must be a date (2026-11-30) or an ISO date-time with its offset (2026-11-30T08:00:00-03:00)`
  const date = DATE.exec(value)
  if (date !== null) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])]
    if (!isCalendarDate(y, m, d)) throw new BadRequestError(`${expected}; ${JSON.stringify(value)} is not a day of the calendar`)
    // A `to` date includes its whole day: the range ends where the next day starts.
    return name === 'from' ? startOfDay(y, m, d, timeZone) : startOfDay(y, m, d + 1, timeZone)
  }
  const instant = parseDateTime(value, expected)
  // An inclusive `to` instant: the range ends one millisecond after it.
  return name === 'from' ? instant : new Date(instant.getTime() + 1)
}

/**
 * An RFC 3339 date-time with its offset (`2026-11-30T08:00:00-03:00`), checked field by
 * field (no 30 February, no hour 24, no offset past 23:59). Anything else is a 400 whose
 * message starts with `expected`.
 */
export function parseDateTime(value: string, expected: string): Date {
  const t = DATE_TIME.exec(value)
  if (t === null) throw new BadRequestError(`${expected}; got ${JSON.stringify(value.slice(0, 40))}`)
  const [y, m, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(t[i] ?? 0)) as [number, number, number, number, number, number]
  const offsetOk = t[8] === 'Z' || (Number(t[9]) <= 23 && Number(t[10]) <= 59)
  if (!isCalendarDate(y, m, d) || h > 23 || mi > 59 || s > 59 || !offsetOk) {
    throw new BadRequestError(`${expected}; ${JSON.stringify(value)} is not a valid date-time`)
  }
  return new Date(value)
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const probe = new Date(Date.UTC(y, m - 1, d))
  return y >= 1970 && y <= 9999 && probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d
}

/** A preValidation hook: a query key the route does not read is a 400 naming the ones it does. */
export function rejectUnknownQueryKeys(properties: object): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const unknown = Object.keys(request.query as object).find((k) => !Object.hasOwn(properties, k))
    if (unknown !== undefined) {
      throw new BadRequestError(`query parameter ${JSON.stringify(unknown.slice(0, 64))} is not supported; expected one of: ${Object.keys(properties).join(', ')}`)
    }
  }
}
