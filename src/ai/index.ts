import type { Config, Secret } from '../config/index.js'
import { ConfigError } from '../errors.js'
import type { ImageDescriber } from './image-describer.js'
import type { KnowledgeBase } from './knowledge-base.js'
import { createLocalProvider } from './local-provider.js'
import { createOpenAiProvider } from './openai-provider.js'
import { createOpenAiVision } from './openai-vision.js'
import type { AiProvider } from './types.js'

export type { AiMessage, AiProvider, AiReply, AiTurnInput, Language } from './types.js'
export {
  LIFECYCLE_MESSAGES,
  loadKnowledgeBase,
  parseKnowledgeBase,
  renderMessage,
  type Department, type FaqEntry, type KnowledgeBase } from './knowledge-base.js'
export { createLocalProvider } from './local-provider.js'
export { createOpenAiProvider, type OpenAiProviderOptions } from './openai-provider.js'
export {
  IMAGE_KINDS,
  type DescribeImageInput,
  type ImageDescriber,
  type ImageDescription,
  type ImageKind,
  type UnverifiedExtraction,
} from './image-describer.js'
export { createOpenAiVision, type OpenAiVisionOptions } from './openai-vision.js'
export { createFaqIndex, type FaqIndex, type FaqMatch } from './text-index.js'

/** The provider `AI_PROVIDER` names, over an already loaded knowledge base. */
export function createAiProvider(config: Config['ai'], kb: KnowledgeBase): AiProvider {
  if (config.provider === 'local') return createLocalProvider(kb)
  return createOpenAiProvider({
    apiKey: openAiKey(config),
    baseURL: config.openaiBaseUrl,
    model: config.openaiModel,
    timeoutMs: config.timeoutMs,
    kb,
  })
}

/**
 * The image describer the configuration asks for, or `undefined` when there is no vision:
 * AI_PROVIDER=local (pictures stay offline) or IMAGE_VISION_FALLBACK=off. `undefined`
 * rather than a stub answering kind 'other' with the caption, so the image-analysis worker
 * has to say "no vision configured" explicitly and no turn ever reads an empty
 * "description" as if a model had looked at the picture.
 */
export function createImageDescriber(config: Pick<Config, 'ai' | 'images'>): ImageDescriber | undefined {
  const { ai, images } = config
  if (ai.provider === 'local' || !images.visionFallback) return undefined
  return createOpenAiVision({
    apiKey: openAiKey(ai),
    baseURL: ai.openaiBaseUrl,
    model: ai.openaiVisionModel,
    timeoutMs: ai.timeoutMs,
    maxImageBytes: images.maxBytes,
  })
}

/** loadConfig already refuses openai without a key; a hand-built config gets the same words. */
function openAiKey(ai: Config['ai']): Secret {
  if (ai.openaiApiKey === undefined) throw new ConfigError(['OPENAI_API_KEY: required when AI_PROVIDER=openai'])
  return ai.openaiApiKey
}
