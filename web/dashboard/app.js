import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { boot } from './api.js'
import { switchLanguage, t } from './i18n.js'
import { InboxPage, ThreadPage } from './inbox.js'
import { LearningPage, NpsPage, OverviewPage, QueuesPage } from './reports.js'
import { SimulatorPage } from './simulator.js'
import { html, Link } from './ui.js'

const csrf = document.querySelector('meta[name="atende-csrf"]')?.content ?? ''

function route(path) {
  const thread = /^\/admin\/inbox\/(\d+)$/.exec(path)
  if (thread) return html`<${ThreadPage} id=${Number(thread[1])} />`
  if (path === '/admin/overview') return html`<${OverviewPage} />`
  if (path === '/admin/queues') return html`<${QueuesPage} />`
  if (path === '/admin/nps') return html`<${NpsPage} />`
  if (path === '/admin/learning') return html`<${LearningPage} />`
  if (path === '/admin/simulator') return html`<${SimulatorPage} />`
  return html`<${InboxPage} />`
}

function Nav({ path }) {
  const admin = boot.role === 'admin'
  const item = (href, key) => html`<${Link} href=${href} class=${path.startsWith(href) ? 'active' : ''}>${t(key)}<//>`
  return html`<nav class="top">
    <strong class="brand">Atende</strong>
    ${item('/admin/inbox', 'inbox')}
    ${admin && item('/admin/overview', 'overview')}
    ${/* bull-board is a page of its own in Redis mode: a full navigation */ ''}
    ${admin && html`<a href="/admin/queues" class=${path === '/admin/queues' ? 'active' : ''}>${t('queues')}</a>`}
    ${admin && item('/admin/nps', 'nps')}
    ${admin && item('/admin/learning', 'learning')}
    ${admin && boot.simulator && item('/admin/simulator', 'simulator')}
    <span class="spacer"></span>
    <span class="who">${boot.agent}</span>
    <button class="link" onClick=${switchLanguage}>${t('language')}</button>
    <form method="post" action="/admin/logout" class="inline">
      <input type="hidden" name="_csrf" value=${csrf} />
      <button type="submit" class="link">${t('logout')}</button>
    </form>
  </nav>`
}

function App() {
  const [path, setPath] = useState(location.pathname.replace(/\/$/, '') || '/admin')
  useEffect(() => {
    const onPop = () => setPath(location.pathname.replace(/\/$/, '') || '/admin')
    addEventListener('popstate', onPop)
    return () => removeEventListener('popstate', onPop)
  }, [])
  return html`<${Nav} path=${path} /><main>${route(path)}</main>`
}

render(html`<${App} />`, document.getElementById('app'))
