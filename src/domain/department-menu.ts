/**
 * The department menu (issue #12, "when unsure, ask"): when the router cannot tell the
 * department, the customer is asked with WhatsApp's interactive message, within Meta's
 * limits (outbound-content.ts): up to 3 departments as reply buttons, 4 to 10 as a list,
 * more than 10 as a list of the 10 given first (the caller orders them best-scored first).
 * Pure: the ids it puts in the choices come back in the customer's tap.
 */
import {
  MAX_BUTTONS, MAX_INTERACTIVE_BODY_CHARS, MAX_LIST_ROWS, MAX_ROW_DESCRIPTION_CHARS, MAX_ROW_TITLE_CHARS, MAX_TITLE_CHARS,
  type InteractiveContent,
} from './outbound-content.js'

export interface MenuDepartment {
  id: string
  name: string
  description?: string | undefined
}

/** A choice's id: `department:<knowledge base id>`. */
const CHOICE_PREFIX = 'department:'
/** Meta's longest choice id (store/outbound-content.ts allows 200). */
const MAX_ID_CHARS = 200

export function departmentChoiceId(departmentId: string): string {
  return `${CHOICE_PREFIX}${departmentId}`.slice(0, MAX_ID_CHARS)
}

/** The department a tapped choice id names, if it is one of ours. */
export function departmentOfChoice(choiceId: string | undefined): string | undefined {
  return choiceId?.startsWith(CHOICE_PREFIX) === true ? choiceId.slice(CHOICE_PREFIX.length) : undefined
}

/** Cuts a text to `max` characters (code points), ending with "…" when cut. */
export function fitText(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim()
  const chars = [...clean]
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('').trimEnd()}…`
}

/**
 * The menu for `departments`, in the order given. Titles, descriptions, body and button are
 * cut to Meta's limits; an empty list is a caller's mistake.
 */
export function buildDepartmentMenu(departments: readonly MenuDepartment[], texts: { body: string; button: string }): InteractiveContent {
  if (departments.length === 0) throw new RangeError('a department menu needs at least one department')
  const body = fitText(texts.body, MAX_INTERACTIVE_BODY_CHARS)
  if (departments.length <= MAX_BUTTONS) {
    return {
      kind: 'buttons',
      body,
      buttons: departments.map((d) => ({ id: departmentChoiceId(d.id), title: fitText(d.name, MAX_TITLE_CHARS) })),
    }
  }
  const rows = departments.slice(0, MAX_LIST_ROWS).map((d) => {
    const description = d.description === undefined || d.description.trim() === '' ? undefined : fitText(d.description, MAX_ROW_DESCRIPTION_CHARS)
    return { id: departmentChoiceId(d.id), title: fitText(d.name, MAX_ROW_TITLE_CHARS), ...(description === undefined ? {} : { description }) }
  })
  return { kind: 'list', body, button: fitText(texts.button, MAX_TITLE_CHARS), sections: [{ rows }] }
}

/** The department ids a menu offered, in the order shown (numbered 1, 2, … for a typed answer). */
export function menuDepartments(menu: InteractiveContent): string[] {
  const ids = menu.kind === 'buttons' ? menu.buttons.map((b) => b.id) : menu.sections.flatMap((s) => s.rows.map((r) => r.id))
  return ids.flatMap((id) => departmentOfChoice(id) ?? [])
}
