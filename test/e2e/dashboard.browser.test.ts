/**
 * The dashboard in a real browser: Debian's chromium (never a downloaded browser) driven by
 * playwright-core, against a real `atende serve` started as `npm start` starts it (tsx, no
 * build step) with Redis, so /admin/queues is bull-board. Screenshots of every page go to
 * test-results/dashboard/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { E2E_ADMIN_TOKEN, startStack, type Stack } from '../helpers/e2e.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SHOTS = fileURLToPath(new URL('../../test-results/dashboard/', import.meta.url))
const CARLA_TOKEN = 'carla-e2e-agent-token'
/** Flags for a quiet, offline, unprivileged headless run (no sandbox: CI runs as root). */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

describe('the dashboard in chromium', () => {
  let stack: Stack
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []
  /** Every request the pages made outside the server under test: none is expected (no CDN). */
  const elsewhere: string[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`)
    mkdirSync(SHOTS, { recursive: true })
    stack = await startStack('redis', 'pglite', { AGENT_TOKENS: `Carla:${CARLA_TOKEN}`, SIMULATOR_ENABLED: 'true' })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true })
    page = await browser.newPage({ viewport: { width: 1200, height: 860 } })
    page.on('pageerror', (err) => pageErrors.push(err.message))
    page.on('request', (r) => {
      if (!r.url().startsWith(stack.atende.url) && !r.url().startsWith('data:')) elsewhere.push(r.url())
    })
  }, 90_000)

  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })

  it('sends a visitor to the login, and logs the admin in', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/inbox']) {
      await page.goto(`${stack.atende.url}${path}`)
      expect(new URL(page.url()).pathname, path).toBe('/admin/login')
    }
    await shot('login')
    await page.fill('input[name=token]', 'not-the-token')
    await page.click('button[type=submit]')
    await page.waitForSelector('.error')
    await page.fill('input[name=token]', E2E_ADMIN_TOKEN)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/admin\/inbox$/)
    await page.waitForSelector('nav.top')
    const cookie = (await page.context().cookies()).find((c) => c.name === 'atende_session')!
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    await shot('inbox-empty')
  })

  it('shows the queues (bull-board, behind the same session)', async () => {
    await page.goto(`${stack.atende.url}/admin/queues`)
    await page.getByText('message-processing').first().waitFor()
    await page.getByText('ai-response').first().waitFor()
    await shot('queues')
  })

  it('chats in the simulator and sees the reply live, without anything reaching Meta', async () => {
    await page.goto(`${stack.atende.url}/admin/simulator`)
    await page.fill('input[name=message]', 'como faço pra pegar a segunda via do boleto?')
    await page.click('form.compose button[type=submit]')
    await page.waitForSelector('li.bubble[data-direction=in]')
    const reply = page.locator('li.bubble[data-direction=out]').first()
    await reply.waitFor({ timeout: 20_000 })
    expect(await reply.textContent()).toMatch(/segunda via/i)
    await shot('simulator')
    expect(stack.graph.requests.filter((r) => r.kind === 'send' || r.kind === 'mark-read')).toEqual([])
  })

  it('shows the simulated conversation in the inbox and its thread', async () => {
    await page.goto(`${stack.atende.url}/admin/inbox`)
    const row = page.locator('li.conversation').first()
    await row.waitFor()
    await shot('inbox')
    await row.locator('a').click()
    await page.waitForURL(/\/admin\/inbox\/\d+$/)
    await page.locator('li.message.out').first().waitFor()
    expect(await page.locator('.window').textContent()).toMatch(/24 h/)
    await shot('thread')
  })

  it('renders the overview, NPS and learning pages', async () => {
    for (const name of ['overview', 'nps', 'learning']) {
      await page.goto(`${stack.atende.url}/admin/${name}`)
      await page.waitForSelector(`section.${name === 'nps' ? 'nps-report' : name}`)
      await shot(name)
    }
    expect(await page.locator('[data-runtime]').count()).toBe(0)
    await page.goto(`${stack.atende.url}/admin/overview`)
    await page.waitForSelector('[data-runtime=queues]')
  })

  it('lists an alert the server raised on the overview, in Portuguese', async () => {
    // A signed payload of unknown shape is quarantined, which raises `quarantine`.
    expect((await stack.post({ hello: 'world', entry: 'not-a-list' })).status).toBe(200)
    await expect.poll(async () => (await stack.admin('/api/alerts')).items.map((a: { alert: string }) => a.alert)).toContain('quarantine')
    await page.goto(`${stack.atende.url}/admin/overview`)
    const alert = page.locator('ul.alerts li[data-alert=quarantine]')
    await alert.waitFor()
    expect(await alert.getAttribute('data-severity')).toBe('warning')
    expect(await alert.textContent()).toMatch(/aviso.*quarentena/s)
    expect(await alert.locator('small').textContent()).toMatch(/parts=1/)
    await shot('overview-alerts')
  })

  it('keeps an agent to the inbox', async () => {
    const context = await browser.newContext()
    const agent = await context.newPage()
    try {
      await agent.goto(`${stack.atende.url}/admin/login`)
      await agent.fill('input[name=token]', CARLA_TOKEN)
      await agent.click('button[type=submit]')
      await agent.waitForSelector('nav.top')
      expect(await agent.locator('nav.top .who').textContent()).toBe('Carla')
      expect(await agent.locator('nav.top a[href="/admin/simulator"]').count()).toBe(0)
      await agent.goto(`${stack.atende.url}/admin/queues`)
      expect(new URL(agent.url()).pathname).toBe('/admin')
      await agent.screenshot({ path: `${SHOTS}agent-inbox.png`, fullPage: true })
    } finally {
      await context.close()
    }
  })

  it('logs out', async () => {
    await page.goto(`${stack.atende.url}/admin/inbox`)
    await page.click('nav.top form button[type=submit]')
    await page.waitForURL(/\/admin\/login$/)
    await page.goto(`${stack.atende.url}/admin/inbox`)
    expect(new URL(page.url()).pathname).toBe('/admin/login')
  })

  it('ran without a script error on any page, and fetched nothing from elsewhere', () => {
    expect(pageErrors).toEqual([])
    expect(elsewhere).toEqual([])
  })
})
