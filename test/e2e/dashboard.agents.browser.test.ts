/**
 * An agent's work in the browser: take a handed-off conversation, answer it, release it, then
 * the NPS and learning pages. It drives the agents API of issue #9 (milestone C:
 * `POST /api/conversations/:id/handoff|messages|release|resolve`), the NPS report and the
 * learning proposals through the dashboard. Each case runs once the server has its route
 * (probed at start) and is skipped before, so this file lands ahead of those routes and
 * starts proving them the moment they merge.
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E_ADMIN_TOKEN, startStack, type Stack } from '../helpers/e2e.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SHOTS = fileURLToPath(new URL('../../test-results/dashboard/', import.meta.url))
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

describe('an agent at work in chromium', () => {
  let stack: Stack
  let browser: Browser
  let page: Page
  const has = { agents: false, nps: false, learning: false }
  /** Console errors of every page (a missing favicon, a failed call), but the 404 asked for below. */
  const consoleErrors: string[] = []

  /** Whether the admin API has a route there: 404 "no route for …" means it does not. */
  async function routeExists(method: 'GET' | 'POST', path: string): Promise<boolean> {
    const res = await fetch(`${stack.atende.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: method === 'POST' ? '{}' : undefined,
    })
    const body = await res.text()
    return !(res.status === 404 && body.includes('no route for'))
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    stack = await startStack('in-process', 'pglite', { SIMULATOR_ENABLED: 'true' })
    has.agents = await routeExists('POST', '/api/conversations/999999999/release')
    has.nps = await routeExists('GET', '/api/reports/nps')
    has.learning = await routeExists('GET', '/api/learning/proposals?status=pending')
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
    page = await browser.newPage({ viewport: { width: 1200, height: 860 } })
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.includes('/admin/api/conversations/999999')) consoleErrors.push(`${m.location().url}: ${m.text()}`)
    })
    page.on('pageerror', (err) => consoleErrors.push(err.message))
    await page.goto(`${stack.atende.url}/admin/login`)
    await page.fill('input[name=token]', E2E_ADMIN_TOKEN)
    await page.click('button[type=submit]')
    await page.waitForSelector('nav.top')
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })

  async function say(text: string, replies: number): Promise<void> {
    await page.fill('input[name=message]', text)
    await page.click('form.compose button[type=submit]')
    await page.locator('li.bubble[data-direction=out]').nth(replies - 1).waitFor({ timeout: 20_000 })
  }

  it('takes a handed-off conversation, answers it and releases it to the bot', async (ctx) => {
    if (!has.agents) ctx.skip()
    await page.goto(`${stack.atende.url}/admin/simulator`)
    await say('vocês vendem geladeira?', 1)
    await say('quero falar com um atendente', 2)
    await page.goto(`${stack.atende.url}/admin/inbox`)
    await page.locator('ul.waiting li.conversation a').first().click()
    await page.waitForSelector('section.thread[data-status=handoff]')
    await shot('handoff-thread')
    await page.click('button[data-action=handoff]')
    await page.waitForSelector('section.thread[data-status=handoff]')
    expect(await page.locator('button[data-action=release]').isEnabled()).toBe(true)
    await page.fill('textarea[name=text]', 'Olá! Não vendemos geladeiras, só internet.')
    await page.click('form.reply button[type=submit]')
    const answer = page.locator('li.message.out', { hasText: 'Não vendemos geladeiras' })
    await answer.waitFor({ timeout: 20_000 })
    await page.locator('li.message.out[data-status=sent]', { hasText: 'Não vendemos geladeiras' }).waitFor({ timeout: 20_000 })
    await shot('agent-answered')
    // Delivery in the page's language, never the raw status.
    const delivery = page.locator('li.message.out[data-status=sent] .delivery').first()
    expect(await delivery.textContent()).toBe('enviada')
    await page.click('button[data-action=release]')
    await page.waitForSelector('section.thread[data-status=open]')
    // Releasing what no person has would only answer 409: the button says so by being off.
    expect(await page.locator('button[data-action=release]').isDisabled()).toBe(true)
    await page.click('button[data-action=resolve]')
    await page.waitForSelector('section.thread[data-status=resolved], section.thread[data-status=awaiting_nps], section.thread[data-status=closed]')
    expect(stack.graph.requests.filter((r) => r.kind === 'send')).toEqual([])
  })

  it('reads a typed boleto line at phone width: lines kept, nothing wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await page.context().storageState() })
    const phone = await context.newPage()
    phone.on('pageerror', (err) => consoleErrors.push(err.message))
    try {
      await phone.goto(`${stack.atende.url}/admin/simulator`)
      await phone.click('.phone header button.link')
      await phone.fill('input[name=message]', '23793381286000782713695000063305975520000370000')
      await phone.click('form.compose button[type=submit]')
      await phone.locator('li.bubble[data-direction=out]').first().waitFor({ timeout: 20_000 })
      const width = () => phone.evaluate<number>('document.documentElement.scrollWidth')
      expect(await width()).toBeLessThanOrEqual(390)
      await phone.goto(`${stack.atende.url}/admin/inbox`)
      await phone.locator('li.conversation').first().waitFor()
      expect(await width()).toBeLessThanOrEqual(390)
      // A status badge stays on one line, however narrow the row.
      for (const badge of await phone.locator('li.conversation .badge').all()) expect((await badge.boundingBox())!.height).toBeLessThan(24)
      await phone.locator('li.conversation a', { hasText: 'Li o boleto' }).first().click()
      const reply = phone.locator('li.message.out .text', { hasText: 'Li o boleto' })
      await reply.waitFor()
      expect(await width()).toBeLessThanOrEqual(390)
      // The reply's lines (bank, amount, due date) stay lines.
      expect(await reply.innerText()).toMatch(/\nValor: R\$ 3\.700,00\n/)
      await phone.screenshot({ path: `${SHOTS}phone-thread.png`, fullPage: true })
    } finally {
      await context.close()
    }
  })

  it('says why a conversation cannot be shown, in Portuguese, with the way back', async () => {
    await page.goto(`${stack.atende.url}/admin/inbox/999999`)
    const error = page.locator('.error[data-code=ATD_NOT_FOUND]')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/^Não encontrado\./)
    expect(await page.locator('section.thread a[href="/admin/inbox"]').count()).toBe(1)
  })

  it('shows the overview as a person reads it: the mode, numbers in pt-BR, queues as a table', async () => {
    await page.goto(`${stack.atende.url}/admin/overview`)
    await page.waitForSelector('table.queue-metrics tr[data-queue=ai-response]')
    // No Redis in this stack: in-process, in words.
    expect(await page.locator('[data-runtime=in-process]').textContent()).toBe('em processo (sem Redis)')
    expect(await page.locator('pre').count()).toBe(0)
    const latency = await page.locator('p.latency').textContent()
    expect(latency).toMatch(/máx\. [\d,]+ ms/)
    expect(latency).not.toMatch(/\d\.\d{3} ms/)
    // A calendar date as Brazilians write it.
    expect(await page.evaluate("import('/admin/assets/i18n.js').then((m) => m.formatDate('2026-11-30'))")).toBe('30/11/2026')
    await shot('overview-in-process')
  })

  it('approves a learning proposal', async (ctx) => {
    if (!has.agents || !has.learning) ctx.skip()
    await page.goto(`${stack.atende.url}/admin/learning`)
    const proposal = page.locator('li.proposal').first()
    // The learning job runs after the resolve above; the page is read again until it shows.
    await expect.poll(async () => {
      await page.reload()
      return page.locator('li.proposal').count()
    }, { timeout: 20_000, interval: 1_000 }).toBeGreaterThan(0)
    await shot('learning-proposal')
    expect(await proposal.locator('small').textContent()).not.toMatch(/^(faq|unanswered|detractor)/)
    const id = await proposal.getAttribute('data-proposal')
    // An emptied answer is refused in Portuguese, not with the schema's English.
    const answer = proposal.locator('textarea').nth(1)
    const kept = await answer.inputValue()
    await answer.fill('')
    await proposal.locator('button[data-action=approve]').click()
    expect(await proposal.locator('.error[data-code=ATD_LEARNING_PROPOSAL_INCOMPLETE]').textContent()).toMatch(/^Preencha a pergunta/)
    await answer.fill(kept || 'Só vendemos internet.')
    await proposal.locator('button[data-action=approve]').click()
    await page.locator(`li.proposal[data-proposal="${id}"]`).waitFor({ state: 'detached' })
  })

  it('reads the NPS page', async (ctx) => {
    if (!has.nps) ctx.skip()
    await page.goto(`${stack.atende.url}/admin/nps`)
    await page.waitForSelector('.big-score')
    // Every conversation here is the simulator's, which the report leaves out: it says so.
    expect(await page.locator('.nps-report p.empty').textContent()).toMatch(/simulador/i)
    expect(await page.locator('.nps-report table').count()).toBe(0)
    await shot('nps-report')
  })

  it('logged no error in the console of any page (a missing favicon included)', () => {
    expect(consoleErrors).toEqual([])
  })
})
