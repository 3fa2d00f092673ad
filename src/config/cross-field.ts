import { parseAgentTokens } from './dashboard.js'
import { ADMIN_TOKEN_MIN_LENGTH, isAdminTokenShort } from './http.js'
import type { Env } from './schema.js'
import { transcriptionProvider } from './transcription.js'

/** What no single variable's check can see: settings that contradict or need one another. */
export function crossFieldProblems(e: Env): string[] {
  const problems: string[] = []
  if (e.NODE_ENV === 'production' && e.WHATSAPP_APP_SECRET === undefined) {
    problems.push('WHATSAPP_APP_SECRET: required when NODE_ENV=production (webhook signatures cannot be verified without it)')
  } else if (e.WHATSAPP_TRANSPORT === 'cloud' && e.WHATSAPP_APP_SECRET === undefined && !e.WHATSAPP_ALLOW_UNSIGNED) {
    // A forgotten secret would let anyone post messages that are answered on a live number
    // (issue #8): running unsigned has to be asked for by name.
    problems.push('WHATSAPP_APP_SECRET: required when WHATSAPP_TRANSPORT=cloud (without it anyone can post messages that are answered on your number); set WHATSAPP_ALLOW_UNSIGNED=true to run unsigned on purpose')
  }
  if (e.NODE_ENV === 'production' && e.ADMIN_TOKEN !== undefined && isAdminTokenShort(e.ADMIN_TOKEN)) {
    problems.push(`ADMIN_TOKEN: must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters when NODE_ENV=production (a short token can be guessed); e.g. openssl rand -hex 32`)
  }
  const agents = parseAgentTokens(e.AGENT_TOKENS, e.ADMIN_TOKEN, e.NODE_ENV === 'production')
  if (typeof agents === 'string') problems.push(`AGENT_TOKENS: ${agents}`)
  if (e.NODE_ENV === 'production' && e.METRICS_TOKEN !== undefined && isAdminTokenShort(e.METRICS_TOKEN)) {
    problems.push(`METRICS_TOKEN: must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters when NODE_ENV=production (a short token can be guessed); e.g. openssl rand -hex 32`)
  }
  if (e.METRICS_PORT !== undefined && (e.METRICS_PORT === e.PORT || e.METRICS_PORT === e.ADMIN_PORT)) {
    const clash = e.METRICS_PORT === e.PORT ? `PORT (${e.PORT})` : `ADMIN_PORT (${e.ADMIN_PORT})`
    problems.push(`METRICS_PORT: must differ from ${clash}: it is a listener of its own; unset it to scrape /metrics on the other`)
  }
  if (e.EVENTS_WEBHOOK_URL !== undefined && e.EVENTS_WEBHOOK_SECRET === undefined) {
    problems.push('EVENTS_WEBHOOK_SECRET: required with EVENTS_WEBHOOK_URL (every event is signed with it, so the receiver can tell it came from Atende)')
  }
  if (e.EVENTS_WEBHOOK_SECRET !== undefined && e.EVENTS_WEBHOOK_URL === undefined) {
    problems.push('EVENTS_WEBHOOK_SECRET: has no effect without EVENTS_WEBHOOK_URL')
  }
  if (e.ADMIN_HOST !== undefined && e.ADMIN_PORT === undefined) {
    problems.push('ADMIN_HOST: has no effect without ADMIN_PORT; set ADMIN_PORT for a separate admin listener, or unset ADMIN_HOST')
  }
  if (e.ADMIN_PORT !== undefined && e.ADMIN_PORT === e.PORT) {
    problems.push(`ADMIN_PORT: must differ from PORT (${e.PORT}); unset it to serve the admin API on PORT`)
  }
  if (e.WHATSAPP_TRANSPORT === 'cloud' && e.WHATSAPP_TOKEN === undefined) {
    problems.push('WHATSAPP_TOKEN: required when WHATSAPP_TRANSPORT=cloud')
  }
  const openaiKeyMissing = e.AI_PROVIDER === 'openai' && e.OPENAI_API_KEY === undefined
  if (openaiKeyMissing) problems.push('OPENAI_API_KEY: required when AI_PROVIDER=openai')
  // OPENAI_API_KEY serves transcription too: when it is already asked for, a second line would send
  // the operator after TRANSCRIPTION_API_KEY for nothing.
  if (!openaiKeyMissing && transcriptionProvider(e) === 'openai' && (e.TRANSCRIPTION_API_KEY ?? e.OPENAI_API_KEY) === undefined) {
    problems.push('TRANSCRIPTION_API_KEY: required when TRANSCRIPTION_PROVIDER=openai (or set OPENAI_API_KEY; any placeholder for a local server without keys)')
  }
  if (e.IMAGE_VISION_FALLBACK === 'on' && e.AI_PROVIDER !== 'openai') {
    problems.push(`IMAGE_VISION_FALLBACK: 'on' needs AI_PROVIDER=openai (the local provider has no vision); got AI_PROVIDER=${e.AI_PROVIDER}`)
  }
  if (e.REDIS_URL !== undefined && e.UPSTASH_REDIS_HOST !== undefined) {
    problems.push('REDIS_URL: set either REDIS_URL or UPSTASH_REDIS_HOST, not both')
  }
  if (e.UPSTASH_REDIS_PASSWORD !== undefined && e.UPSTASH_REDIS_HOST === undefined) {
    // Beside REDIS_URL it would be ignored in silence, and Redis would refuse every command.
    problems.push('UPSTASH_REDIS_PASSWORD: has no effect without UPSTASH_REDIS_HOST; with REDIS_URL, put the password in the URL (rediss://:<password>@host:6379)')
  }
  if (e.DEBOUNCE_MAX_MS < e.DEBOUNCE_MS) {
    problems.push(`DEBOUNCE_MAX_MS: must be at least DEBOUNCE_MS (${e.DEBOUNCE_MS}); got ${e.DEBOUNCE_MAX_MS}`)
  }
  if (e.WHATSAPP_SEND_MAX_WAIT_MS >= e.WHATSAPP_TIMEOUT_MS) {
    // A send's deadline covers its wait for a slot too: a longer wait would end in a timeout.
    problems.push(`WHATSAPP_SEND_MAX_WAIT_MS: must be less than WHATSAPP_TIMEOUT_MS (${e.WHATSAPP_TIMEOUT_MS}); got ${e.WHATSAPP_SEND_MAX_WAIT_MS}`)
  }
  return problems
}
