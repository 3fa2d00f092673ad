import { z } from 'zod'

// The building blocks of the env schema's fields, shared by every area.

export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))

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
