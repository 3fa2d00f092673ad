import type { Secret } from '../config/index.js'
import { AiProviderError } from '../errors.js'
import type { KnowledgeBase } from './knowledge-base.js'
import { completeContent, createOpenAiClient } from './openai-client.js'
import { buildMessages, modelReplySchema, REPLY_SCHEMA_NAME, replyJsonSchema } from './openai-prompt.js'
import { createFaqIndex } from './text-index.js'
import type { AiProvider, AiReply, AiTurnInput } from './types.js'

export interface OpenAiProviderOptions {
  apiKey: Secret
  /** Any OpenAI-compatible server, e.g. `http://127.0.0.1:8080/v1`. @defaultValue the SDK's (api.openai.com) */
  baseURL?: string | undefined
  /** Must support Structured Outputs (`json_schema` response format), e.g. 'gpt-4o-mini'. */
  model: string
  /** Longest one completion may take; the turn fails (retryable) after it. */
  timeoutMs: number
  kb: KnowledgeBase
  /** FAQ entries retrieved into the prompt. @defaultValue 5 */
  faqEntries?: number
  /** Latest history messages sent to the model. @defaultValue 20 */
  historyMessages?: number
}

/**
 * The AI port on the Chat Completions API with a strict JSON-schema structured output.
 * The SDK never retries (`maxRetries: 0`): retries belong to the queue, which counts them.
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): AiProvider {
  const { kb, model, timeoutMs } = options
  const client = createOpenAiClient(options)
  const faq = createFaqIndex(kb)
  const departmentIds = new Set(kb.departments.map((d) => d.id))
  const promptOptions = { faqEntries: options.faqEntries ?? 5, historyMessages: options.historyMessages ?? 20 }
  const responseFormat = {
    type: 'json_schema' as const,
    json_schema: { name: REPLY_SCHEMA_NAME, strict: true, schema: replyJsonSchema(kb) },
  }

  async function complete(input: AiTurnInput): Promise<string> {
    const answer = await completeContent(
      client,
      { model, messages: buildMessages(kb, faq, input, promptOptions), response_format: responseFormat },
      { signal: input.signal, timeoutMs, refused: 'answer this turn' },
    )
    return answer.content
  }

  function parse(content: string): AiReply {
    let json: unknown
    try {
      json = JSON.parse(content)
    } catch (err) {
      // The content itself stays out of the message: it may quote the customer.
      throw new AiProviderError(`the model returned invalid JSON (${content.length} chars)`, { cause: err })
    }
    const parsed = modelReplySchema.safeParse(json)
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')
      throw new AiProviderError(`the model's JSON does not match the reply schema; bad fields: ${fields}`, {
        cause: parsed.error,
      })
    }
    const r = parsed.data
    return {
      department: r.department !== null && departmentIds.has(r.department) ? r.department : undefined,
      text: r.reply,
      resolved: r.resolved,
      handoff: r.handoff,
      confidence: r.confidence,
      source: r.fallback ? 'fallback' : 'ai',
    }
  }

  return {
    name: 'openai',
    async reply(input) {
      return parse(await complete(input))
    },
  }
}
