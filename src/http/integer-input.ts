import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import { BadRequestError } from '../errors.js'

/** How an integer is written in a path or a query: decimal digits, an optional minus, no leading zero. */
const DECIMAL_INTEGER = /^(?:0|-?[1-9][0-9]*)$/

type Part = 'params' | 'querystring'

/**
 * Fastify's Ajv coerces a path or query string to an `integer` field with JavaScript's number
 * rules, so `1e0`, `0x1`, `0b1`, `+1`, `01`, `1.0` and ` 1` all read as 1: a request would act
 * on a row it does not name. For every route whose params or querystring schema declares an
 * integer field, this adds a check, before validation, that the value as sent is decimal
 * digits. Install it on the root before any route; routes registered later inherit it.
 */
export function refuseLooseIntegers(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const fields = [...integerFields(route.schema?.params, 'params'), ...integerFields(route.schema?.querystring, 'querystring')]
    if (fields.length === 0) return
    const check = async (request: FastifyRequest): Promise<void> => {
      for (const [part, name] of fields) {
        const source = (part === 'params' ? request.params : request.query) as Record<string, unknown>
        const value = source[name]
        // Absent or repeated (an array): the schema refuses or defaults it.
        if (typeof value === 'string' && !DECIMAL_INTEGER.test(value)) {
          throw new BadRequestError(`${part}/${name} must be an integer in decimal digits; got ${JSON.stringify(value.slice(0, 40))}`)
        }
      }
    }
    route.preValidation = [...asArray(route.preValidation), check]
  })
}

function integerFields(schema: unknown, part: Part): Array<[Part, string]> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties
  if (properties === undefined) return []
  return Object.entries(properties)
    .filter(([, p]) => p.type === 'integer' || (Array.isArray(p.type) && p.type.includes('integer')))
    .map(([name]) => [part, name])
}

function asArray<T>(hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return []
  return Array.isArray(hooks) ? hooks : [hooks]
}
