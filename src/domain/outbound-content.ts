/**
 * What one outbound message carries, whoever sends it (bot, agent, survey, menu): a text, an
 * approved template, or an interactive message (reply buttons or a list). The limits are
 * Meta's (DESIGN.md, "Facts worth knowing"); the store validates every payload against them
 * (store/outbound-content.ts, zod) before it is written.
 */
import { MAX_TEXT_CHARS } from './split-reply.js'

export { MAX_TEXT_CHARS }
/** Reply buttons per message. */
export const MAX_BUTTONS = 3
/** Characters of a button title. */
export const MAX_TITLE_CHARS = 20
/** Characters of a list row title and of a section title. */
export const MAX_ROW_TITLE_CHARS = 24
/** Characters of a list row description. */
export const MAX_ROW_DESCRIPTION_CHARS = 72
/** Rows of a list, counted over all its sections. */
export const MAX_LIST_ROWS = 10
/** Characters of an interactive message's body. */
export const MAX_INTERACTIVE_BODY_CHARS = 1_024

/** One reply button: its id comes back in the customer's answer. */
export interface ReplyButton {
  id: string
  title: string
}

export interface ListRow {
  id: string
  title: string
  description?: string | undefined
}

export interface ListSection {
  title?: string | undefined
  rows: ListRow[]
}

export type InteractiveContent =
  | { kind: 'buttons'; body: string; buttons: ReplyButton[] }
  | { kind: 'list'; body: string; /** The label of the button that opens the list. */ button: string; sections: ListSection[] }

export interface TemplateContent {
  /** The approved template's name, as registered with Meta. */
  name: string
  /** Meta's language code, e.g. `pt_BR`. */
  language: string
  /** The body's `{{1}}`, `{{2}}`… in order. */
  parameters: string[]
}

export type OutboundContent =
  | { type: 'text'; text: string }
  | { type: 'template'; template: TemplateContent }
  | { type: 'interactive'; interactive: InteractiveContent }

/**
 * How a payload is kept in an outbound row: `type` and `text` in their columns (a template has
 * no text; an interactive message's text is its body), the rest in `content`.
 */
export function contentColumns(c: OutboundContent): { type: OutboundContent['type']; text: string | null; content: TemplateContent | InteractiveContent | null } {
  switch (c.type) {
    case 'text':
      return { type: 'text', text: c.text, content: null }
    case 'template':
      return { type: 'template', text: null, content: c.template }
    case 'interactive':
      return { type: 'interactive', text: c.interactive.body, content: c.interactive }
  }
}
