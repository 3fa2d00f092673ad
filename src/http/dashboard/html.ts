import type { FastifyRequest } from 'fastify'

export type Language = 'pt-BR' | 'en'
/** Set by the dashboard's language switch (readable by the page: it holds no secret). */
export const LANGUAGE_COOKIE = 'atende_lang'

/** `?lang=` first, then the language cookie, then pt-BR (the dashboard's default). */
export function languageOf(request: FastifyRequest): Language {
  const query = (request.query as Record<string, unknown> | undefined)?.lang
  const chosen = typeof query === 'string' ? query : request.cookies[LANGUAGE_COOKIE]
  return chosen === 'en' ? 'en' : 'pt-BR'
}

/** Text for an HTML element or a quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * Headers of every dashboard page: no framing, no sniffing, no caching of pages that hold a
 * CSRF token, and a CSP allowing only our own files (plus the import map, by its hash).
 */
export function pageHeaders(scriptHashes: readonly string[] = []): Record<string, string> {
  const scripts = ["'self'", ...scriptHashes.map((h) => `'sha256-${h}'`)].join(' ')
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'same-origin',
    'content-security-policy': `default-src 'self'; script-src ${scripts}; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
  }
}
