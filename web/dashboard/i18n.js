// Interface text: pt-BR by default, English on request (the language link, kept in a cookie).
const TEXT = {
  'pt-BR': {
    inbox: 'Atendimento', overview: 'Visão geral', queues: 'Filas', nps: 'NPS', learning: 'Aprendizado', simulator: 'Simulador',
    logout: 'Sair', language: 'English',
    needsPerson: 'Aguardando atendente', others: 'Demais conversas', noConversations: 'Nenhuma conversa.',
    allStatuses: 'Todos os status', department: 'Departamento', filter: 'Filtrar',
    status_open: 'Aberta', status_handoff: 'Com atendente', status_resolved: 'Resolvida', status_awaiting_nps: 'Aguardando NPS', status_closed: 'Encerrada',
    customer: 'Cliente', bot: 'Atende', agentSays: 'Atendente',
    windowLeft: 'Janela de 24 h: {h} h {m} min restantes', windowClosed: 'Janela de 24 h encerrada: só modelos (templates)',
    take: 'Assumir', release: 'Devolver ao robô', resolve: 'Resolver', send: 'Enviar', reply: 'Responder…',
    templateName: 'Modelo (template)', templateLanguage: 'Idioma', templateParams: 'Parâmetros (um por linha)', sendTemplate: 'Enviar modelo',
    back: 'Voltar', loading: 'Carregando…', failed: 'Falhou', done: 'Feito',
    boleto: 'Boleto', pix: 'Pix', amount: 'valor', due: 'vencimento', payee: 'recebedor', readFromPicture: 'Lido da imagem',
    runtime: 'Modo', database: 'Banco', webhookLatency: 'Latência do webhook (servidor)', requests: 'requisições',
    queueDepth: 'Profundidade das filas', throughput: 'Vazão', alerts: 'Alertas recentes', noAlerts: 'Nenhum alerta.',
    severity_critical: 'crítico', severity_warning: 'aviso',
    alert_redis_lost: 'Redis inacessível: o modo em processo atende a partir do banco de dados',
    alert_redis_back: 'Redis acessível de novo: o trabalho voltou para as filas',
    alert_job_failed: 'Um job falhou após a última tentativa',
    alert_queue_backlog: 'Uma fila está acumulando jobs',
    alert_quarantine: 'Um webhook assinado não pôde ser lido e foi para a quarentena',
    alert_nps_detractor: 'Um cliente respondeu o NPS como detrator',
    alert_handoff_waiting: 'Uma conversa passada a um atendente ainda está esperando',
    alert_meta_rate_limit: 'A Meta limitou a taxa dos nossos envios',
    alert_meta_quality: 'A Meta recusou um envio pela qualidade ou situação do número',
    alert_webhook_5xx: 'O webhook do WhatsApp respondeu 5xx (a Meta tenta de novo)',
    notAvailable: 'Ainda não disponível neste servidor.',
    work_unprocessedMessages: 'Mensagens a processar', work_turnsWaiting: 'Turnos aguardando', work_turnsRunning: 'Turnos em execução',
    work_outboxPending: 'Envios pendentes', work_handoffs: 'Com atendente',
    queuesInProcess: 'Modo em processo (sem Redis): contagens tiradas do banco de dados.',
    from: 'De', to: 'Até', score: 'NPS', responses: 'respostas', promoters: 'promotores', passives: 'neutros', detractors: 'detratores',
    byDepartment: 'Por departamento', comments: 'Comentários', noDepartment: '(sem departamento)',
    proposals: 'Propostas pendentes', noProposals: 'Nenhuma proposta pendente.', question: 'Pergunta', answer: 'Resposta',
    approve: 'Aprovar', reject: 'Rejeitar', askedTimes: 'perguntado {n} vezes',
    simulatorIntro: 'Converse como um cliente. A mensagem passa pelo webhook real, num número reservado que nunca chega à Meta.',
    simulatorOff: 'O simulador está desligado (SIMULATOR_ENABLED=false).',
    newConversation: 'Nova conversa', typeMessage: 'Digite uma mensagem…', typing: 'Atende está respondendo…',
    forbidden: 'Sem permissão.', simulated: 'simulada',
    status: 'Status', max: 'máx.', runtime_queues: 'filas no Redis', 'runtime_in-process': 'em processo (sem Redis)',
    delivery_pending: 'na fila', delivery_sending: 'enviando', delivery_sent: 'enviada', delivery_delivered: 'entregue', delivery_read: 'lida',
    delivery_unknown: 'situação desconhecida', delivery_failed: 'falhou', delivery_superseded: 'substituída',
    kind_faq: 'pergunta frequente', kind_unanswered: 'sem resposta', kind_detractor: 'comentário de detrator',
    queue: 'Fila', waiting: 'aguardando', active: 'em execução', delayed: 'agendados', completed: 'concluídos', failedJobs: 'falhas',
    perMinute: 'por minuto', waitP95: 'espera p95', processP95: 'execução p95',
    noResponses: 'Nenhuma resposta de NPS no período. (Conversas do simulador não entram no relatório.)',
    error_ATD_CONVERSATION_NOT_IN_HANDOFF: 'Só uma conversa com atendente pode ser devolvida ao robô.',
    error_ATD_CONVERSATION_CLOSED: 'A conversa está encerrada.',
    error_ATD_CONVERSATION_WRONG_STATE: 'A conversa não aceita essa ação no status atual.',
    error_ATD_OUTSIDE_SERVICE_WINDOW: 'A janela de 24 h está encerrada: só é possível enviar um modelo (template).',
    error_ATD_OUTBOUND_INVALID: 'A mensagem não é válida.',
    error_ATD_NOT_FOUND: 'Não encontrado.', error_ATD_BAD_REQUEST: 'O pedido não é válido: confira os campos.',
    error_ATD_DASHBOARD_FORBIDDEN: 'Sem permissão.',
    error_ATD_LEARNING_PROPOSAL_NOT_PENDING: 'Esta proposta já foi decidida.',
    error_ATD_LEARNING_PERSONAL_DATA: 'O texto ainda tem dados pessoais: retire-os antes de aprovar.',
    error_ATD_LEARNING_PROPOSAL_INCOMPLETE: 'Preencha a pergunta, a resposta e o departamento antes de aprovar.',
    error_ATD_SIMULATOR_INGEST: 'O simulador não conseguiu entregar a mensagem.',
    error_ATD_WHATSAPP_API: 'O WhatsApp recusou o envio.',
  },
  en: {
    inbox: 'Inbox', overview: 'Overview', queues: 'Queues', nps: 'NPS', learning: 'Learning', simulator: 'Simulator',
    logout: 'Log out', language: 'Português',
    needsPerson: 'Waiting for a person', others: 'Other conversations', noConversations: 'No conversations.',
    allStatuses: 'All statuses', department: 'Department', filter: 'Filter',
    status_open: 'Open', status_handoff: 'With an agent', status_resolved: 'Resolved', status_awaiting_nps: 'Awaiting NPS', status_closed: 'Closed',
    customer: 'Customer', bot: 'Atende', agentSays: 'Agent',
    windowLeft: '24 h window: {h} h {m} min left', windowClosed: '24 h window closed: templates only',
    take: 'Take', release: 'Release to the bot', resolve: 'Resolve', send: 'Send', reply: 'Reply…',
    templateName: 'Template', templateLanguage: 'Language', templateParams: 'Parameters (one per line)', sendTemplate: 'Send template',
    back: 'Back', loading: 'Loading…', failed: 'Failed', done: 'Done',
    boleto: 'Boleto', pix: 'Pix', amount: 'amount', due: 'due', payee: 'payee', readFromPicture: 'Read from the picture',
    runtime: 'Mode', database: 'Database', webhookLatency: 'Webhook latency (server)', requests: 'requests',
    queueDepth: 'Queue depth', throughput: 'Throughput', alerts: 'Recent alerts', noAlerts: 'No alerts.',
    severity_critical: 'critical', severity_warning: 'warning',
    notAvailable: 'Not available on this server yet.',
    work_unprocessedMessages: 'Messages to process', work_turnsWaiting: 'Turns waiting', work_turnsRunning: 'Turns running',
    work_outboxPending: 'Sends pending', work_handoffs: 'With an agent',
    queuesInProcess: 'In-process mode (no Redis): counts read from the database.',
    from: 'From', to: 'To', score: 'NPS', responses: 'responses', promoters: 'promoters', passives: 'passives', detractors: 'detractors',
    byDepartment: 'By department', comments: 'Comments', noDepartment: '(no department)',
    proposals: 'Pending proposals', noProposals: 'No pending proposals.', question: 'Question', answer: 'Answer',
    approve: 'Approve', reject: 'Reject', askedTimes: 'asked {n} times',
    simulatorIntro: 'Chat as a customer. The message goes through the real webhook, on a reserved number that never reaches Meta.',
    simulatorOff: 'The simulator is off (SIMULATOR_ENABLED=false).',
    newConversation: 'New conversation', typeMessage: 'Type a message…', typing: 'Atende is replying…',
    forbidden: 'Not allowed.', simulated: 'simulated',
    status: 'Status', max: 'max', runtime_queues: 'Redis queues', 'runtime_in-process': 'in-process (no Redis)',
    delivery_pending: 'queued', delivery_sending: 'sending', delivery_sent: 'sent', delivery_delivered: 'delivered', delivery_read: 'read',
    delivery_unknown: 'unknown status', delivery_failed: 'failed', delivery_superseded: 'superseded',
    kind_faq: 'frequent question', kind_unanswered: 'unanswered', kind_detractor: 'detractor comment',
    queue: 'Queue', waiting: 'waiting', active: 'active', delayed: 'delayed', completed: 'completed', failedJobs: 'failed',
    perMinute: 'per minute', waitP95: 'wait p95', processP95: 'run p95',
    noResponses: 'No NPS answers in this period. (Simulator conversations are left out of the report.)',
  },
}

export const language = document.documentElement.lang === 'en' ? 'en' : 'pt-BR'

/** The text of `key`, with `{name}` placeholders filled from `values`. */
export function t(key, values = {}) {
  const text = TEXT[language][key] ?? TEXT['pt-BR'][key] ?? key
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''))
}

/**
 * The text of `key` in the page's language when its table has one, else `fallback`: the
 * server's own English text (an alert rule's), which the English table does not repeat.
 */
export function textOr(key, fallback) {
  return TEXT[language][key] ?? fallback
}

export function switchLanguage() {
  const next = language === 'en' ? 'pt-BR' : 'en'
  document.cookie = `atende_lang=${next}; path=/admin; samesite=strict; max-age=31536000`
  location.reload()
}

export function formatTime(iso) {
  if (!iso) return ''
  return new Date(iso).toLocaleString(language, { dateStyle: 'short', timeStyle: 'short' })
}

/** A calendar date (`2026-11-30`) in the page's language: 30/11/2026, 11/30/2026. */
export function formatDate(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day ?? '')
  if (!match) return day ?? ''
  return new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])).toLocaleDateString(language, { timeZone: 'UTC' })
}

/** A number in the page's language, at most `digits` decimals: 1.234,5 / 1,234.5. */
export function formatNumber(value, digits = 0) {
  return typeof value === 'number' ? value.toLocaleString(language, { maximumFractionDigits: digits }) : '—'
}

export function formatMoney(cents) {
  return (cents / 100).toLocaleString('pt-BR', { style: 'currency', currency: 'BRL' })
}
