import { z } from 'zod'

// The building blocks of the env schema's fields, shared by every area.

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))

/**
 * An optional setting with a grammar of its own: `parse` answers the value, or a string that
 * says what is wrong (then the schema reports it as that variable's issue).
 */
export const parsed = <T extends object | boolean>(parse: (value: string | undefined) => T | string) =>
  optionalString.transform((v, ctx) => {
    const value = parse(v)
    if (typeof value === 'string') {
      ctx.addIssue({ code: 'custom', message: value })
      return z.NEVER
    }
    return value
  })

export const ms = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback)

export const url = (protocols: readonly string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true
      try {
        return protocols.includes(new URL(v).protocol)
      } catch {
        return false
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  )
