import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai'
import type { Secret } from '../config/index.js'
import { AiProviderError } from '../errors.js'
import { createLightFetch } from './light-fetch.js'

export interface OpenAiClientOptions {
  apiKey: Secret
  /** Any OpenAI-compatible server, e.g. `http://127.0.0.1:8080/v1`. @defaultValue the SDK's (api.openai.com) */
  baseURL?: string | undefined
  /** Longest one request may take; the SDK aborts it after this. */
  timeoutMs: number
}

/**
 * The SDK client both OpenAI adapters use. It never retries (`maxRetries: 0`): retries
 * belong to the queue, which counts them.
 */
export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey.reveal(),
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: 0,
    fetch: createLightFetch(),
  })
}

/** Statuses that will fail the same way next time: a bad request, key, permission or model. */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404])

/** One mapping of SDK failures to {@link AiProviderError}, shared by text and vision. */
export function toProviderError(err: unknown, timeoutMs: number): AiProviderError {
  if (err instanceof APIConnectionTimeoutError) {
    return new AiProviderError(`the AI API did not answer within ${timeoutMs} ms`, { cause: err })
  }
  if (err instanceof APIUserAbortError) {
    return new AiProviderError('the AI request was aborted', { cause: err })
  }
  if (err instanceof APIError && err.status !== undefined) {
    const retryable = !PERMANENT_STATUSES.has(err.status)
    // The API's own message can quote part of the key: it stays in `cause`, out of ours.
    return new AiProviderError(`the AI API answered HTTP ${err.status}${retryable ? '' : ' (not retryable)'}`, {
      cause: err,
      retryable,
    })
  }
  return new AiProviderError('the AI API request failed', { cause: err })
}
