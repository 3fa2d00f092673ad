import type { Env } from './schema.js'
import { secret } from './secret.js'
import type { Config } from './types.js'

/** Unset follows the provider: whoever pays for openai gets transcription, local stays offline. */
export function transcriptionProvider(e: Env): 'off' | 'openai' {
  return e.TRANSCRIPTION_PROVIDER ?? (e.AI_PROVIDER === 'openai' ? 'openai' : 'off')
}

export function transcriptionConfig(e: Env): Config['audio']['transcription'] {
  const apiKey = e.TRANSCRIPTION_API_KEY ?? e.OPENAI_API_KEY
  if (transcriptionProvider(e) === 'off' || apiKey === undefined) return undefined
  return { baseUrl: e.TRANSCRIPTION_BASE_URL ?? e.OPENAI_BASE_URL, apiKey: secret(apiKey), model: e.TRANSCRIPTION_MODEL, timeoutMs: e.AI_TIMEOUT_MS }
}
