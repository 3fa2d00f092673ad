import { useCallback, useEffect, useState } from 'preact/hooks'
import { boot, get, post } from './api.js'
import { formatNumber, formatTime, t, textOr } from './i18n.js'
import { ErrorNote, html } from './ui.js'

/** `undefined` while loading, `null` when the server has no such route yet (404), else the data. */
function useOptional(path, everyMs) {
  const [data, setData] = useState(undefined)
  const [error, setError] = useState(null)
  const load = useCallback(async () => {
    try {
      setData(await get(path))
      setError(null)
    } catch (err) {
      if (err.status === 404) setData(null)
      else setError(err)
    }
  }, [path])
  useEffect(() => {
    void load()
    if (!everyMs) return
    const timer = setInterval(load, everyMs)
    return () => clearInterval(timer)
  }, [load])
  return { data, error, reload: load }
}

/** The database's work counts, refreshed every 2 s, with the depth of the last two minutes. */
function WorkCounts() {
  const { data, error } = useOptional('/admin/api/work-counts', 2000)
  const [depths, setDepths] = useState([])
  useEffect(() => {
    if (data) setDepths((d) => [...d.slice(-59), data.unprocessedMessages + data.turnsWaiting + data.outboxPending])
  }, [data])
  return html`<div>
    <table class="counts">
      ${data && Object.entries(data).map(([k, v]) => html`<tr data-count=${k}><th>${t(`work_${k}`)}</th><td>${formatNumber(v)}</td></tr>`)}
    </table>
    <${Sparkline} values=${depths} label=${t('queueDepth')} />
    <${ErrorNote} error=${error} />
  </div>`
}

/** A line of the last samples, drawn as SVG (no chart library). */
function Sparkline({ values, label }) {
  if (values.length < 2) return null
  const max = Math.max(1, ...values)
  const points = values.map((v, i) => `${(i / (values.length - 1)) * 200},${40 - (v / max) * 38}`).join(' ')
  return html`<figure class="spark"><svg viewBox="0 0 200 40" role="img" aria-label=${label}><polyline points=${points} /></svg><figcaption>${label}: ${formatNumber(values[values.length - 1], 1)} (${t('max')} ${formatNumber(max, 1)})</figcaption></figure>`
}

function QueueMetrics() {
  const { data } = useOptional('/admin/api/queue/metrics', 5000)
  const [history, setHistory] = useState([])
  useEffect(() => {
    if (!data?.queues) return
    const depth = Object.values(data.queues).reduce((sum, q) => sum + (q.waiting ?? 0) + (q.delayed ?? 0) + (q.active ?? 0), 0)
    const done = Object.values(data.queues).reduce((sum, q) => sum + (q.completed ?? 0), 0)
    setHistory((h) => [...h.slice(-59), { depth, done }])
  }, [data])
  if (data === undefined) return null
  if (data === null) return html`<p class="muted">${t('queueDepth')}: ${t('notAvailable')}</p>`
  const throughput = history.slice(1).map((s, i) => Math.max(0, s.done - history[i].done))
  return html`<div>
    <${Sparkline} values=${history.map((s) => s.depth)} label=${t('queueDepth')} />
    <${Sparkline} values=${throughput} label=${t('throughput')} />
    <${QueueTable} queues=${data.queues} />
  </div>`
}

const ms = (v) => (typeof v === 'number' ? `${formatNumber(v)} ms` : '—')

/** Each queue of `/api/queue/metrics`: its jobs by state, its rate and its p95 times. */
function QueueTable({ queues }) {
  if (!queues) return null
  return html`<div class="scroll"><table class="queue-metrics">
    <thead><tr><th>${t('queue')}</th><th>${t('waiting')}</th><th>${t('active')}</th><th>${t('delayed')}</th><th>${t('completed')}</th><th>${t('failedJobs')}</th><th>${t('perMinute')}</th><th>${t('waitP95')}</th><th>${t('processP95')}</th></tr></thead>
    <tbody>${Object.entries(queues).map(([name, q]) => html`<tr data-queue=${name}><th>${name}</th><td>${formatNumber(q.waiting)}</td><td>${formatNumber(q.active)}</td><td>${formatNumber(q.delayed)}</td><td>${formatNumber(q.completed)}</td><td>${formatNumber(q.failed)}</td><td>${formatNumber(q.throughput?.['1m'], 1)}</td><td>${ms(q.waitMs?.p95)}</td><td>${ms(q.processMs?.p95)}</td></tr>`)}</tbody>
  </table></div>`
}

/** How many alerts the overview lists, and how often it asks again. */
const ALERTS_SHOWN = 20
const ALERTS_EVERY_MS = 15_000

/**
 * One alert of `GET /api/alerts`: when, how bad, what (the rule's text in the page's
 * language; English from the server for a rule this page does not know), about what, and its
 * codes and counts.
 */
function Alert({ a }) {
  const details = Object.entries(a.details ?? {}).map(([k, v]) => `${k}=${v}`).join(' · ')
  return html`<li class=${`alert ${a.severity}`} data-alert=${a.alert} data-severity=${a.severity}>
    <time datetime=${a.at}>${formatTime(a.at)}</time> <strong>${t(`severity_${a.severity}`)}</strong>
    ${' '}${textOr(`alert_${a.alert}`, a.text)}${a.subject && a.subject !== '-' ? html` <code>${a.subject}</code>` : ''}
    ${details && html`<small>${details}</small>`}
  </li>`
}

export function OverviewPage() {
  const ready = useOptional('/readyz')
  const http = useOptional('/admin/api/metrics/http', 5000)
  const alerts = useOptional(`/admin/api/alerts?limit=${ALERTS_SHOWN}`, ALERTS_EVERY_MS)
  const items = alerts.data?.items ?? []
  return html`<section class="overview">
    <h2>${t('overview')}</h2>
    <p>${t('runtime')}: <strong data-runtime=${boot.runtime}>${t(`runtime_${boot.runtime}`)}</strong>${ready.data ? html` · ${t('database')}: ${ready.data.database}` : ''}</p>
    ${http.data && html`<p class="latency">${t('webhookLatency')}: p50 ${formatNumber(http.data.p50Ms, 1)} ms · p99 ${formatNumber(http.data.p99Ms, 1)} ms · ${t('max')} ${formatNumber(http.data.maxMs, 1)} ms (${formatNumber(http.data.count)} ${t('requests')})</p>`}
    <h3>${t('queues')}</h3>
    <${WorkCounts} />
    <${QueueMetrics} />
    <h3>${t('alerts')}</h3>
    <${ErrorNote} error=${alerts.error} />
    ${alerts.data === null ? html`<p class="muted">${t('notAvailable')}</p>` : alerts.data && (items.length === 0 ? html`<p class="no-alerts">${t('noAlerts')}</p>` : html`<ul class="alerts">${items.map((a) => html`<${Alert} key=${a.id} a=${a} />`)}</ul>`)}
  </section>`
}

export function QueuesPage() {
  return html`<section class="queues"><h2>${t('queues')}</h2><p class="muted">${t('queuesInProcess')}</p><${WorkCounts} /></section>`
}

function Score({ r, label }) {
  return html`<tr><th>${label}</th><td class="nps">${r.nps ?? '—'}</td><td>${r.responses}</td><td>${r.promoters}</td><td>${r.passives}</td><td>${r.detractors}</td></tr>`
}

export function NpsPage() {
  const [range, setRange] = useState({ from: '', to: '', department: '' })
  const query = new URLSearchParams(Object.entries(range).filter(([, v]) => v !== ''))
  const { data, error, reload } = useOptional(`/admin/api/reports/nps?${query}`)
  const set = (k) => (e) => setRange({ ...range, [k]: e.target.value })
  return html`<section class="nps-report">
    <h2>${t('nps')}</h2>
    <form class="filters" onSubmit=${(e) => { e.preventDefault(); void reload() }}>
      <label>${t('from')} <input type="date" value=${range.from} onChange=${set('from')} /></label>
      <label>${t('to')} <input type="date" value=${range.to} onChange=${set('to')} /></label>
      <input placeholder=${t('department')} value=${range.department} onChange=${set('department')} maxlength="64" />
    </form>
    <${ErrorNote} error=${error} />
    ${data === null && html`<p class="muted">${t('notAvailable')}</p>`}
    ${data && html`<div>
      <p class="big-score" data-nps=${data.nps ?? ''}>${t('score')}: <strong>${data.nps ?? '—'}</strong> (${data.responses} ${t('responses')})</p>
      ${data.responses === 0 && html`<p class="empty">${t('noResponses')}</p>`}
      ${data.byDepartment?.length > 0 && html`<table><thead><tr><th>${t('department')}</th><th>${t('score')}</th><th>${t('responses')}</th><th>${t('promoters')}</th><th>${t('passives')}</th><th>${t('detractors')}</th></tr></thead>
        <tbody>${(data.byDepartment ?? []).map((r) => html`<${Score} r=${r} label=${r.department ?? t('noDepartment')} />`)}</tbody></table>`}
      ${data.comments?.length > 0 && html`<h3>${t('comments')}</h3><ul class="comments">${data.comments.map((c) => html`<li><strong>${c.score}</strong> ${c.comment ?? c.text ?? ''}</li>`)}</ul>`}
    </div>`}
  </section>`
}

function Proposal({ p, onDone }) {
  const [edit, setEdit] = useState({ question: p.question ?? '', answer: p.answer ?? '', department: p.department ?? '' })
  const [error, setError] = useState(null)
  async function decide(action) {
    // The server would refuse an emptied field with a schema message in English.
    if (action === 'approve' && p.kind !== 'detractor' && Object.values(edit).some((v) => v.trim() === '')) {
      return setError({ code: 'ATD_LEARNING_PROPOSAL_INCOMPLETE', message: 'question, answer and department are required' })
    }
    try {
      const changed = Object.fromEntries(Object.entries(edit).filter(([k, v]) => v !== (p[k] ?? '')))
      await post(`/admin/api/learning/proposals/${p.id}/${action}`, action === 'approve' ? changed : {})
      onDone()
    } catch (err) {
      setError(err)
    }
  }
  const set = (k) => (e) => setEdit({ ...edit, [k]: e.target.value })
  return html`<li class="proposal" data-proposal=${p.id}>
    <small>${t(`kind_${p.kind}`)}${p.count > 1 ? ` · ${t('askedTimes', { n: p.count })}` : ''}</small>
    <label>${t('question')}<textarea value=${edit.question} onInput=${set('question')}></textarea></label>
    <label>${t('answer')}<textarea value=${edit.answer} onInput=${set('answer')}></textarea></label>
    <label>${t('department')}<input value=${edit.department} onInput=${set('department')} /></label>
    <div class="actions">
      <button data-action="approve" onClick=${() => decide('approve')}>${t('approve')}</button>
      <button data-action="reject" class="secondary" onClick=${() => decide('reject')}>${t('reject')}</button>
    </div>
    <${ErrorNote} error=${error} />
  </li>`
}

export function LearningPage() {
  const { data, error, reload } = useOptional('/admin/api/learning/proposals?status=pending')
  return html`<section class="learning">
    <h2>${t('proposals')}</h2>
    <${ErrorNote} error=${error} />
    ${data === null && html`<p class="muted">${t('notAvailable')}</p>`}
    ${data && (data.items.length === 0 ? html`<p>${t('noProposals')}</p>` : html`<ul class="proposals">${data.items.map((p) => html`<${Proposal} key=${p.id} p=${p} onDone=${reload} />`)}</ul>`)}
  </section>`
}
