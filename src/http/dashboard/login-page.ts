import { escapeHtml, type Language } from './html.js'

const TEXT = {
  'pt-BR': {
    title: 'Entrar no Atende',
    label: 'Token de acesso',
    hint: 'O ADMIN_TOKEN, ou o seu token de atendente (AGENT_TOKENS).',
    submit: 'Entrar',
    failed: 'Token inválido.',
    throttled: 'Muitas tentativas. Tente de novo em {s} s.',
    other: 'English',
  },
  en: {
    title: 'Sign in to Atende',
    label: 'Access token',
    hint: 'The ADMIN_TOKEN, or your agent token (AGENT_TOKENS).',
    submit: 'Sign in',
    failed: 'Invalid token.',
    throttled: 'Too many attempts. Try again in {s} s.',
    other: 'Português',
  },
} as const

export type LoginProblem = { kind: 'failed' } | { kind: 'throttled'; retryAfterSeconds: number } | undefined

/** The login form: plain HTML, no script, so it works before anything else loads. */
export function loginPage(options: { language: Language; next: string; problem: LoginProblem }): string {
  const t = TEXT[options.language]
  const problem = options.problem
  const message =
    problem === undefined ? '' : problem.kind === 'failed' ? t.failed : t.throttled.replace('{s}', String(problem.retryAfterSeconds))
  const otherLang = options.language === 'en' ? 'pt-BR' : 'en'
  return `<!doctype html>
<html lang="${options.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(t.title)}</title>
<link rel="stylesheet" href="/admin/assets/style.css">
</head>
<body class="login">
<main class="login-box">
<h1>Atende</h1>
<form method="post" action="/admin/login">
<label for="token">${escapeHtml(t.label)}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required maxlength="1024" autofocus>
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<input type="hidden" name="lang" value="${options.language}">
<p class="hint">${escapeHtml(t.hint)}</p>
${message === '' ? '' : `<p class="error" role="alert">${escapeHtml(message)}</p>`}
<button type="submit">${escapeHtml(t.submit)}</button>
</form>
<p class="lang"><a href="/admin/login?lang=${otherLang}">${escapeHtml(t.other)}</a></p>
</main>
</body>
</html>
`
}
