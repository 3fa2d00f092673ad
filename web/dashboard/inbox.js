import { useCallback, useEffect, useState } from 'preact/hooks'
import { get, onConversationsChanged, post } from './api.js'
import { formatDate, formatMoney, formatTime, t } from './i18n.js'
import { ErrorNote, html, Link } from './ui.js'

const STATUSES = ['open', 'handoff', 'resolved', 'awaiting_nps', 'closed']
const WINDOW_MS = 24 * 60 * 60 * 1000

/**
 * Which buttons do something in a status (src/domain/lifecycle.ts): releasing a conversation
 * no person has answers 409, and resolving one already resolved changes nothing. Taking one
 * always counts (it records who took it, and quiets the hand-off alert).
 */
const CAN = {
  release: (s) => s === 'handoff',
  resolve: (s) => s === 'open' || s === 'handoff',
}

/** Re-runs `load` now and whenever a conversation it shows may have changed. */
function useLive(load, matches = () => true) {
  useEffect(() => {
    void load()
    return onConversationsChanged((ids) => {
      if (matches(ids)) void load()
    })
  }, [load])
}

function contactName(c) {
  return c.contact.profileName || c.contact.waId || c.contact.userId || `#${c.id}`
}

function Row({ c }) {
  return html`<li class=${`conversation status-${c.status}`} data-conversation=${c.id}>
    <${Link} href=${`/admin/inbox/${c.id}`}>
      <span class="name">${contactName(c)}</span>
      <span class="badge">${t(`status_${c.status}`)}${c.simulated ? html` · <span class="simulated">${t('simulated')}</span>` : ''}</span>
      ${c.department && html`<span class="dept">${c.department}</span>`}
      <span class="preview">${c.lastMessage?.text ?? ''}</span>
      <time>${formatTime(c.updatedAt)}</time>
    <//>
  </li>`
}

/** Hand-offs first, oldest waiting first; then the rest, newest first. */
export function InboxPage() {
  const [status, setStatus] = useState('')
  const [department, setDepartment] = useState('')
  const [lists, setLists] = useState({ waiting: [], others: [] })
  const [error, setError] = useState(null)

  const load = useCallback(async () => {
    const filter = new URLSearchParams()
    if (department) filter.set('department', department)
    try {
      if (status) {
        filter.set('status', status)
        filter.set('limit', '100')
        const page = await get(`/admin/api/conversations?${filter}`)
        setLists({ waiting: [], others: page.items })
      } else {
        const waitingQuery = new URLSearchParams(filter)
        waitingQuery.set('status', 'handoff')
        waitingQuery.set('limit', '100')
        filter.set('limit', '50')
        const [waiting, all] = await Promise.all([get(`/admin/api/conversations?${waitingQuery}`), get(`/admin/api/conversations?${filter}`)])
        const oldestFirst = [...waiting.items].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
        setLists({ waiting: oldestFirst, others: all.items.filter((c) => c.status !== 'handoff') })
      }
      setError(null)
    } catch (err) {
      setError(err)
    }
  }, [status, department])
  useLive(load)

  return html`<section class="inbox">
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); void load() }}>
      <select value=${status} onChange=${(e) => setStatus(e.target.value)} aria-label=${t('status')}>
        <option value="">${t('allStatuses')}</option>
        ${STATUSES.map((s) => html`<option value=${s}>${t(`status_${s}`)}</option>`)}
      </select>
      <input placeholder=${t('department')} value=${department} onInput=${(e) => setDepartment(e.target.value.trim())} maxlength="64" />
    </form>
    <${ErrorNote} error=${error} />
    ${lists.waiting.length > 0 && html`<h2>${t('needsPerson')}</h2><ul class="conversations waiting">${lists.waiting.map((c) => html`<${Row} c=${c} />`)}</ul>`}
    <h2>${t('others')}</h2>
    ${lists.others.length === 0 ? html`<p class="empty">${t('noConversations')}</p>` : html`<ul class="conversations">${lists.others.map((c) => html`<${Row} c=${c} />`)}</ul>`}
  </section>`
}

/** What the image analysis read from a picture: boleto amount and due date, Pix payee. */
function Findings({ analysis }) {
  if (!analysis?.findings?.length && !analysis?.description) return null
  return html`<div class="findings"><small>${t('readFromPicture')}</small>
    ${(analysis.findings ?? []).map((f) => {
      if (f.kind === 'boleto') {
        const b = f.boleto
        return html`<div>${t('boleto')}: ${b.amountCents ? `${t('amount')} ${formatMoney(b.amountCents)}` : ''} ${b.dueDate ? `· ${t('due')} ${formatDate(b.dueDate)}` : ''}</div>`
      }
      if (f.kind === 'pix') {
        const p = f.pix
        return html`<div>${t('pix')}: ${t('payee')} ${p.merchantName ?? ''} ${p.amountCents ? `· ${formatMoney(p.amountCents)}` : ''}</div>`
      }
      return html`<div>${f.format}: ${f.text}</div>`
    })}
    ${analysis.description && html`<div>${analysis.description.text}</div>`}
  </div>`
}

export function Message({ m }) {
  const who = m.direction === 'in' ? t('customer') : m.payload?.agent ? `${t('agentSays')} ${m.payload.agent}` : t('bot')
  return html`<li class=${`message ${m.direction}`} data-status=${m.providerStatus}>
    <div class="meta">${who} · ${formatTime(m.sentAt ?? m.createdAt)}${m.direction === 'out' ? html` · <span class="delivery">${t(`delivery_${m.providerStatus}`)}</span>` : ''}</div>
    <div class="text">${m.text ?? `[${m.type}]`}</div>
    <${Findings} analysis=${m.analysis} />
  </li>`
}

function windowLeftMs(conversation, now) {
  const lastInbound = [...conversation.messages].reverse().find((m) => m.direction === 'in')
  if (!lastInbound) return 0
  return new Date(lastInbound.sentAt ?? lastInbound.createdAt).getTime() + WINDOW_MS - now
}

export function ThreadPage({ id }) {
  const [conversation, setConversation] = useState(null)
  const [error, setError] = useState(null)
  const [note, setNote] = useState('')
  const [text, setText] = useState('')
  const [template, setTemplate] = useState({ name: '', language: 'pt_BR', parameters: '' })

  const load = useCallback(async () => {
    try {
      setConversation(await get(`/admin/api/conversations/${id}`))
      setError(null)
    } catch (err) {
      setError(err)
    }
  }, [id])
  useLive(load, (ids) => ids.includes(id))

  async function act(action, body = {}) {
    setNote('')
    try {
      await post(`/admin/api/conversations/${id}/${action}`, body)
      setNote(t('done'))
      setError(null)
      await load()
      return true
    } catch (err) {
      setError(err)
      return false
    }
  }

  if (!conversation) return html`<section class="thread">${error ? html`<${Link} href="/admin/inbox">← ${t('back')}<//><${ErrorNote} error=${error} />` : html`<p>${t('loading')}</p>`}</section>`
  const left = windowLeftMs(conversation, Date.now())
  const open = left > 0
  const status = conversation.status
  return html`<section class="thread" data-status=${conversation.status}>
    <header>
      <${Link} href="/admin/inbox">← ${t('back')}<//>
      <h2>${contactName(conversation)} <span class="badge">${t(`status_${conversation.status}`)}</span></h2>
      ${conversation.department && html`<span class="dept">${conversation.department}</span>`}
      <p class="window">${open ? t('windowLeft', { h: Math.floor(left / 3_600_000), m: Math.floor((left % 3_600_000) / 60_000) }) : t('windowClosed')}</p>
    </header>
    <ul class="messages">${conversation.messages.map((m) => html`<${Message} m=${m} />`)}</ul>
    <div class="actions">
      <button data-action="handoff" onClick=${() => act('handoff')}>${t('take')}</button>
      <button data-action="release" disabled=${!CAN.release(status)} onClick=${() => act('release')}>${t('release')}</button>
      <button data-action="resolve" disabled=${!CAN.resolve(status)} onClick=${() => act('resolve')}>${t('resolve')}</button>
    </div>
    ${open
      ? html`<form class="reply" onSubmit=${async (e) => { e.preventDefault(); if (text.trim() && (await act('messages', { text }))) setText('') }}>
          <textarea name="text" maxlength="4096" placeholder=${t('reply')} value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
          <button type="submit">${t('send')}</button>
        </form>`
      : html`<form class="reply template" onSubmit=${async (e) => {
          e.preventDefault()
          const parameters = template.parameters.split('\n').map((p) => p.trim()).filter(Boolean)
          await act('messages', { template: { name: template.name, language: template.language, parameters } })
        }}>
          <input placeholder=${t('templateName')} value=${template.name} onInput=${(e) => setTemplate({ ...template, name: e.target.value })} required />
          <input placeholder=${t('templateLanguage')} value=${template.language} onInput=${(e) => setTemplate({ ...template, language: e.target.value })} />
          <textarea placeholder=${t('templateParams')} value=${template.parameters} onInput=${(e) => setTemplate({ ...template, parameters: e.target.value })}></textarea>
          <button type="submit">${t('sendTemplate')}</button>
        </form>`}
    ${note && html`<p class="note">${note}</p>`}
    <${ErrorNote} error=${error} />
  </section>`
}
