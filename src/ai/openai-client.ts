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
  /**
   * The global fetch instead of the light one: for multipart bodies (audio uploads), which the
   * light fetch does not send. @defaultValue false
   */
  multipart?: boolean
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
    ...(options.multipart === true ? {} : { fetch: createLightFetch() }),
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

/**
 * One chat completion whose answer must be non-empty content (a JSON document the caller
 * validates), with the SDK's failures, a refusal and an empty answer mapped as both OpenAI
 * adapters need. `refused` completes "the model refused to …".
 */
export async function completeContent(
  client: OpenAI,
  body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  options: { signal: AbortSignal | undefined; timeoutMs: number; refused: string },
): Promise<{ content: string; model: string }> {
  let completion: OpenAI.Chat.Completions.ChatCompletion
  try {
    completion = await client.chat.completions.create(body, { signal: options.signal })
  } catch (err) {
    throw toProviderError(err, options.timeoutMs)
  }
  const choice = completion.choices[0]
  if (choice?.message.refusal) {
    throw new AiProviderError(`the model refused to ${options.refused}`, { retryable: false })
  }
  const content = choice?.message.content
  if (typeof content !== 'string' || content.trim() === '') {
    throw new AiProviderError(`the model returned no content (finish_reason: ${choice?.finish_reason ?? 'no choice'})`)
  }
  return { content, model: completion.model }
}
