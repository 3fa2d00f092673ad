import { h } from 'preact'
import htm from 'htm'
import { textOr } from './i18n.js'

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

/** An API error in the page's language when the table knows its code (the server's text otherwise), code aside. */
export function ErrorNote({ error }) {
  if (!error) return null
  return html`<p class="error" role="alert" data-code=${error.code}>${textOr(`error_${error.code}`, error.message)}${error.code ? html` <small>(${error.code})</small>` : ''}</p>`
}
