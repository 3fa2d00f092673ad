import { describe, expect, it } from 'vitest'
import {
  buildDepartmentMenu, departmentChoiceId, departmentOfChoice, MAX_ROW_DESCRIPTION_CHARS, MAX_ROW_TITLE_CHARS, MAX_TITLE_CHARS, menuDepartments,
} from '../../src/domain/index.js'
import { parseOutboundContent } from '../../src/store/outbound-content.js'

const texts = { body: 'Sobre qual destes assuntos é a sua mensagem?', button: 'Ver assuntos' }
const departments = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `d${i + 1}`, name: `Departamento número ${i + 1} com nome comprido`, description: 'x'.repeat(100) }))
/** Meta's limits, as the store checks every outbound payload. */
const valid = (menu: ReturnType<typeof buildDepartmentMenu>) => parseOutboundContent({ type: 'interactive', interactive: menu })

describe('the department menu', () => {
  it.each([1, 2, 3])('offers %i department(s) as reply buttons, titles cut to 20 characters', (n) => {
    const menu = buildDepartmentMenu(departments(n), texts)
    expect(menu.kind).toBe('buttons')
    if (menu.kind !== 'buttons') return
    expect(menu.buttons).toHaveLength(n)
    for (const b of menu.buttons) expect([...b.title].length).toBeLessThanOrEqual(MAX_TITLE_CHARS)
    expect(menu.buttons[0]!.title.endsWith('…')).toBe(true)
    expect(valid(menu).ok).toBe(true)
  })

  it.each([4, 7, 10])('offers %i departments as a list within the row limits', (n) => {
    const menu = buildDepartmentMenu(departments(n), texts)
    expect(menu.kind).toBe('list')
    if (menu.kind !== 'list') return
    const rows = menu.sections.flatMap((s) => s.rows)
    expect(rows).toHaveLength(n)
    for (const r of rows) {
      expect([...r.title].length).toBeLessThanOrEqual(MAX_ROW_TITLE_CHARS)
      expect([...r.description!].length).toBeLessThanOrEqual(MAX_ROW_DESCRIPTION_CHARS)
    }
    expect([...menu.button].length).toBeLessThanOrEqual(MAX_TITLE_CHARS)
    expect(valid(menu).ok).toBe(true)
  })

  it('offers the first 10 (best-scored) of more than 10 departments', () => {
    const menu = buildDepartmentMenu(departments(14), texts)
    expect(menu.kind).toBe('list')
    expect(menuDepartments(menu)).toEqual(departments(10).map((d) => d.id))
    expect(valid(menu).ok).toBe(true)
  })

  it('cuts a long button label, keeps short names whole and leaves out a blank description', () => {
    const menu = buildDepartmentMenu(
      [...departments(3), { id: 'fin', name: 'Financeiro', description: '  ' }],
      { body: texts.body, button: 'Escolha um dos assuntos abaixo' },
    )
    if (menu.kind !== 'list') throw new Error('expected a list')
    expect([...menu.button].length).toBe(MAX_TITLE_CHARS)
    expect(menu.sections[0]!.rows[3]).toEqual({ id: 'department:fin', title: 'Financeiro' })
    expect(valid(menu).ok).toBe(true)
  })

  it('round-trips the knowledge base id through the choice id, and refuses an empty menu', () => {
    expect(departmentOfChoice(departmentChoiceId('financeiro'))).toBe('financeiro')
    expect(departmentOfChoice('something-else')).toBeUndefined()
    expect(departmentOfChoice(undefined)).toBeUndefined()
    expect(() => buildDepartmentMenu([], texts)).toThrow(RangeError)
  })
})
