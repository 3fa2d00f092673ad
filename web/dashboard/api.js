// The dashboard's calls: JSON only, same origin, the session's CSRF token on every mutation.
const csrf = document.querySelector('meta[name="atende-csrf"]')?.content ?? ''
export const boot = JSON.parse(document.querySelector('meta[name="atende-boot"]')?.content ?? '{}')

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' }
  if (method !== 'GET') {
    headers['x-csrf-token'] = csrf
    headers['content-type'] = 'application/json'
  }
  const res = await fetch(path, { method, headers, body: method === 'GET' ? undefined : JSON.stringify(body ?? {}), credentials: 'same-origin' })
  if (res.status === 401) {
    location.assign(`/admin/login?next=${encodeURIComponent(location.pathname)}`)
    throw new ApiError(401, 'ATD_DASHBOARD_SESSION_REQUIRED', 'session ended')
  }
  const text = await res.text()
  const data = text === '' ? null : JSON.parse(text)
  if (!res.ok) throw new ApiError(res.status, data?.code ?? 'ATD_UNKNOWN', data?.message ?? res.statusText)
  return data
}

export const get = (path) => call('GET', path)
export const post = (path, body) => call('POST', path, body)

/** One EventSource for the page; listeners get the ids of changed conversations. */
const listeners = new Set()
let source
export function onConversationsChanged(listener) {
  listeners.add(listener)
  if (source === undefined) {
    source = new EventSource('/admin/api/events')
    source.addEventListener('change', (event) => {
      const ids = JSON.parse(event.data).conversations
      for (const l of listeners) l(ids)
    })
  }
  return () => listeners.delete(listener)
}
