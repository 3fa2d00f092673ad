/**
 * The zod schema of an outbound payload (domain/outbound-content.ts): every payload is parsed
 * with it before it is stored, so a sender never meets one Meta would refuse for its shape.
 */
import { z } from 'zod'
import {
  MAX_BUTTONS, MAX_INTERACTIVE_BODY_CHARS, MAX_LIST_ROWS, MAX_ROW_DESCRIPTION_CHARS, MAX_ROW_TITLE_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
  type OutboundContent,
} from '../domain/index.js'

const nonBlank = (max: number) => z.string().max(max).refine((s) => s.trim() !== '', 'must not be blank')
const choiceId = z.string().min(1).max(200)

const text = z.object({ type: z.literal('text'), text: nonBlank(MAX_TEXT_CHARS) }).strict()

const template = z.object({
  type: z.literal('template'),
  template: z.object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name is lowercase letters, digits and underscores'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'a language code looks like pt_BR or en'),
    parameters: z.array(nonBlank(MAX_TEXT_CHARS)).max(100).default([]),
  }).strict(),
}).strict()

const buttons = z.object({
  kind: z.literal('buttons'),
  body: nonBlank(MAX_INTERACTIVE_BODY_CHARS),
  buttons: z.array(z.object({ id: choiceId, title: nonBlank(MAX_TITLE_CHARS) }).strict()).min(1).max(MAX_BUTTONS),
}).strict()

const list = z.object({
  kind: z.literal('list'),
  body: nonBlank(MAX_INTERACTIVE_BODY_CHARS),
  button: nonBlank(MAX_TITLE_CHARS),
  sections: z.array(z.object({
    title: nonBlank(MAX_ROW_TITLE_CHARS).optional(),
    rows: z.array(z.object({ id: choiceId, title: nonBlank(MAX_ROW_TITLE_CHARS), description: nonBlank(MAX_ROW_DESCRIPTION_CHARS).optional() }).strict()).min(1),
  }).strict()).min(1).max(10),
}).strict().refine((l) => l.sections.reduce((n, s) => n + s.rows.length, 0) <= MAX_LIST_ROWS, {
  message: `a list holds at most ${MAX_LIST_ROWS} rows in total`,
})

const interactive = z.object({ type: z.literal('interactive'), interactive: z.discriminatedUnion('kind', [buttons, list]) }).strict()

export const outboundContentSchema = z.discriminatedUnion('type', [text, template, interactive])

/** The payload as a caller may give it (a template's `parameters` may be left out). */
export type OutboundContentInput = z.input<typeof outboundContentSchema>
// The schema and the domain's type must describe the same thing; this fails to compile if not.
const sameShape: (c: z.output<typeof outboundContentSchema>) => OutboundContent = (c) => c
void sameShape

/** Parses an outbound payload; the error lists every problem (zod's issues). */
export function parseOutboundContent(value: unknown): { ok: true; content: OutboundContent } | { ok: false; issues: string[] } {
  const result = outboundContentSchema.safeParse(value)
  if (result.success) return { ok: true, content: result.data }
  return { ok: false, issues: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) }
}
