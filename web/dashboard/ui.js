import { h } from 'preact'
import htm from 'htm'

/** JSX-like templates without a build step. */
export const html = htm.bind(h)

/** Client-side navigation between dashboard pages (the server serves the same shell for each). */
export function navigate(path) {
  history.pushState(null, '', path)
  dispatchEvent(new PopStateEvent('popstate'))
}

export function Link({ href, children, ...rest }) {
  const onClick = (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(href)
  }
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`
}

export function ErrorNote({ error }) {
  if (!error) return null
  return html`<p class="error" role="alert">${error.code ? `${error.code}: ` : ''}${error.message}</p>`
}
