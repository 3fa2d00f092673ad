import AjvCompiler from '@fastify/ajv-compiler'
import type { FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>

/**
 * Fastify's own validator compiler (`@fastify/ajv-compiler`: the same Ajv options, formats,
 * plugins and shared `addSchema` schemas), with one change: a request body is not
 * type-coerced. Fastify's default `coerceTypes: 'array'` suits a path or a query string,
 * where every value arrives as text (src/http/integer-input.ts limits how integers may be
 * spelt there), but in a JSON body it turned `{ "text": 5 }` into the text "5", `["hi"]` into
 * "hi", `"true"` into true, and `0`, `false` or `""` into an empty (null) body. A body's JSON
 * types are the client's to get right: a wrong one is a 400. `useDefaults` and
 * `removeAdditional` stay as Fastify sets them. Pass it as `schemaController.compilersFactory.buildValidator`,
 * the hook Fastify documents for a validator of one's own per HTTP part
 * (Validation-and-Serialization.md, "disables type coercion only for the body").
 */
export function strictBodyValidator(): ValidatorFactory {
  // One pool per server, as Fastify keeps: a compiler per set of shared schemas and options.
  const pool = AjvCompiler()
  return (externalSchemas, options = {}) => {
    const coercing = pool(externalSchemas, options)
    const strict = pool(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } } as typeof options)
    return (route) => {
      if (route.httpPart === 'body') return strict(route)
      if (route.httpPart === 'headers') refuseMixedCaseHeaders(route.schema, route.url)
      return coercing(route)
    }
  }
}

/**
 * Fastify lowercases the header names of a headers schema only for its default compiler; with
 * a compiler of our own it leaves them as written, and `Idempotency-Key` would never match the
 * lowercased request header. Rather than copy Fastify's rewrite, a schema that is not already
 * lower case fails when the route is registered.
 */
function refuseMixedCaseHeaders(schema: unknown, url: string | undefined): void {
  const s = schema as { properties?: Record<string, unknown>; required?: unknown } | null
  if (s === null || typeof s !== 'object') return
  const names = [...Object.keys(s.properties ?? {}), ...(Array.isArray(s.required) ? (s.required as unknown[]) : [])]
  const mixed = names.filter((n) => typeof n === 'string' && n !== n.toLowerCase())
  if (mixed.length > 0) {
    throw new Error(`the headers schema of ${url ?? 'a route'} names ${mixed.join(', ')}; write header names in lower case`)
  }
}
