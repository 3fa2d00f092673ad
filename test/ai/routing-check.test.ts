import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const run = promisify(execFile)

/** `npx tsx bench/routing.ts` with `args`: its exit code and output. */
async function routing(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'bench/routing.ts', ...args], { cwd: ROOT })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

function setFile(lines: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'atende-routing-')), 'messages.txt')
  writeFileSync(path, lines)
  return path
}

const SHOP = 'knowledge-base/shop.pt-BR.yaml'

describe('routing check on an operator\'s own base (bench/routing.ts --knowledge-base --set)', () => {
  it('prints each department\'s figures and every message routed elsewhere or not at all', async () => {
    const set = setFile('# mine\npedidos | cadê meu pedido? o rastreio não atualiza\npagamentos | o pix não foi aprovado\npagamentos | tenho uma dúvida\n')
    const { code, stdout } = await routing(['--knowledge-base', SHOP, '--set', set])
    expect(code).toBe(0)
    expect(stdout).toContain('| pedidos | 1 | 100.0 % | 0.0 % | 0.0 % |')
    expect(stdout).toContain('| pagamentos | 2 | 50.0 % | 0.0 % | 50.0 % |')
    expect(stdout).toContain('| **all** | 3 | 66.7 % | 0.0 % | 33.3 % |')
    expect(stdout).toContain('pagamentos → (not routed): tenho uma dúvida')
  }, 60_000)

  it('refuses a set naming a department the base does not have, saying which', async () => {
    const { code, stderr } = await routing(['--knowledge-base', SHOP, '--set', setFile('suporte | minha internet caiu\n')])
    expect(code).toBe(2)
    expect(stderr).toContain('names departments the base does not have: suporte')
  }, 60_000)

  it('answers a line without its department, or a file that is not there, with the reason', async () => {
    const bad = await routing(['--knowledge-base', SHOP, '--set', setFile('pedidos | ok\ncadê meu pedido\n')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(':2: expected "<department> | <text>"; got "cadê meu pedido"')
    const blank = await routing(['--knowledge-base', SHOP, '--set', setFile('# a comment\npedidos | ok\n\npedidos |\n')])
    expect(blank.code).toBe(2)
    expect(blank.stderr).toContain(':4: expected "<department> | <text>"; got "pedidos |"')
    const missing = await routing(['--knowledge-base', SHOP, '--set', '/nonexistent/messages.txt'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^routing: ENOENT/)
  }, 60_000)

  it('refuses a held-out set and a lone flag', async () => {
    const heldOut = await routing(['--knowledge-base', 'knowledge-base/clinic.pt-BR.yaml', '--set', 'test/fixtures/routing/clinic.held-out.txt'])
    expect(heldOut.code).toBe(2)
    expect(heldOut.stderr).toContain('is a held-out set')
    expect(heldOut.stdout).toBe('')
    const alone = await routing(['--knowledge-base', SHOP])
    expect(alone.code).toBe(2)
    expect(alone.stderr).toContain('go together')
    const unknown = await routing(['--sets', 'x'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("Unknown option '--sets'")
  }, 60_000)
})
