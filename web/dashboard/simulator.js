import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { boot, get, onConversationsChanged, post } from './api.js'
import { formatTime, t } from './i18n.js'
import { ErrorNote, html } from './ui.js'

const KEY = 'atende.simulator.customer'

/** A number no real customer has: area code 00 (the server checks the same pattern). */
function newCustomer() {
  const digits = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b % 10).join('')
  return `55000${digits}`
}

export function SimulatorPage() {
  const [customer, setCustomer] = useState(() => localStorage.getItem(KEY) ?? newCustomer())
  const [conversationId, setConversationId] = useState(null)
  const [messages, setMessages] = useState([])
  const [text, setText] = useState('')
  const [error, setError] = useState(null)
  const list = useRef(null)

  useEffect(() => localStorage.setItem(KEY, customer), [customer])

  const load = useCallback(async (id) => {
    if (id === null) return setMessages([])
    const detail = await get(`/admin/api/conversations/${id}`)
    setMessages(detail.messages)
  }, [])

  useEffect(() => {
    if (!boot.simulator) return
    let stop = false
    void get(`/admin/api/simulator/conversation?customer=${customer}`)
      .then(async ({ conversationId: id }) => {
        if (stop) return
        setConversationId(id)
        await load(id)
      })
      .catch(setError)
    return () => { stop = true }
  }, [customer])

  useEffect(() => onConversationsChanged((ids) => {
    if (conversationId !== null && ids.includes(conversationId)) void load(conversationId).catch(setError)
  }), [conversationId])

  useEffect(() => list.current?.lastElementChild?.scrollIntoView({ block: 'end' }), [messages])

  if (!boot.simulator) return html`<p>${t('simulatorOff')}</p>`

  async function send(e) {
    e.preventDefault()
    const body = text.trim()
    if (!body) return
    setText('')
    try {
      const { conversationId: id } = await post('/admin/api/simulator/messages', { customer, text: body })
      setConversationId(id)
      await load(id)
      setError(null)
    } catch (err) {
      setError(err)
    }
  }

  const waiting = messages.length > 0 && messages[messages.length - 1].direction === 'in'
  return html`<section class="simulator">
    <p class="intro">${t('simulatorIntro')}</p>
    <div class="phone">
      <header><span>${customer}</span><button class="link" onClick=${() => { setCustomer(newCustomer()); setConversationId(null) }}>${t('newConversation')}</button></header>
      <ul class="chat" ref=${list}>
        ${messages.map((m) => html`<li class=${`bubble ${m.direction === 'in' ? 'mine' : 'theirs'}`} data-direction=${m.direction}>
          <div class="text">${m.text ?? `[${m.type}]`}</div><time>${formatTime(m.createdAt)}</time>
        </li>`)}
      </ul>
      ${waiting && html`<p class="typing">${t('typing')}</p>`}
      <form class="compose" onSubmit=${send}>
        <input name="message" autocomplete="off" maxlength="4096" placeholder=${t('typeMessage')} value=${text} onInput=${(e) => setText(e.target.value)} />
        <button type="submit">${t('send')}</button>
      </form>
    </div>
    <${ErrorNote} error=${error} />
  </section>`
}
