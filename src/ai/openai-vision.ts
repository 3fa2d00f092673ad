import { AiProviderError, ImageTooLargeError, UnsupportedImageError } from '../errors.js'
import type { DescribeImageInput, ImageDescriber, ImageDescription } from './image-describer.js'
import { completeContent, createOpenAiClient, type OpenAiClientOptions } from './openai-client.js'
import { buildVisionMessages, toDescription, visionAnswerSchema } from './openai-vision-prompt.js'

export interface OpenAiVisionOptions extends OpenAiClientOptions {
  /** A model with image input, e.g. 'gpt-4o-mini' (OPENAI_VISION_MODEL). */
  model: string
  /** Larger pictures are refused before any call (IMAGE_MAX_BYTES). */
  maxImageBytes: number
  /**
   * The image part's `detail`. `low` sends one 512×512 rendition at a small fixed token
   * cost whatever the picture's size; `high` reads small print better and costs several
   * times more. @defaultValue 'low'
   */
  detail?: 'low' | 'high' | 'auto'
}

/** What OpenAI accepts as image input; `image/jpg` is a common misspelling of JPEG. */
const MIME_TYPES: Record<string, string> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/webp': 'image/webp',
  'image/gif': 'image/gif',
}

/**
 * The image-description port on Chat Completions, the picture inlined as a `data:` URL
 * (WhatsApp media URLs need our bearer token and expire, so the model could not fetch them).
 * JSON mode (`json_object`) rather than a strict json_schema: more OpenAI-compatible vision
 * servers support it, and the answer is validated with zod either way.
 */
export function createOpenAiVision(options: OpenAiVisionOptions): ImageDescriber {
  const { model, maxImageBytes, timeoutMs } = options
  const detail = options.detail ?? 'low'
  const client = createOpenAiClient(options)

  async function complete(input: DescribeImageInput, dataUrl: string): Promise<{ content: string; model: string }> {
    const answer = await completeContent(
      client,
      { model, messages: buildVisionMessages(input, { dataUrl, detail }), response_format: { type: 'json_object' } },
      { signal: input.signal, timeoutMs, refused: 'describe this image' },
    )
    return { content: answer.content, model: answer.model || model }
  }

  return {
    name: 'openai',
    async describe(input) {
      const dataUrl = toDataUrl(input, maxImageBytes)
      const answer = await complete(input, dataUrl)
      return parse(answer.content, answer.model)
    },
  }
}

/** Refuses what can never succeed before spending a call on it. */
function toDataUrl(input: DescribeImageInput, maxImageBytes: number): string {
  const bytes = input.image.byteLength
  if (bytes > maxImageBytes) throw new ImageTooLargeError(`image is ${bytes} bytes; expected at most ${maxImageBytes} (IMAGE_MAX_BYTES)`, { bytes, maxBytes: maxImageBytes })
  if (bytes === 0) throw new UnsupportedImageError('image is empty; expected the bytes of a picture')
  const given = input.mimeType.split(';')[0]!.trim().toLowerCase()
  const mimeType = MIME_TYPES[given]
  if (mimeType === undefined) {
    throw new UnsupportedImageError(`image type '${given}' is not supported; expected one of: image/jpeg, image/png, image/webp, image/gif`)
  }
  const image = input.image
  return `data:${mimeType};base64,${Buffer.from(image.buffer, image.byteOffset, image.byteLength).toString('base64')}`
}

function parse(content: string, model: string): ImageDescription {
  let json: unknown
  try {
    json = JSON.parse(content)
  } catch (err) {
    // The content stays out of the message: it may quote the customer's document.
    throw new AiProviderError(`the model returned invalid JSON (${content.length} chars)`, { cause: err })
  }
  const parsed = visionAnswerSchema.safeParse(json)
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')
    throw new AiProviderError(`the model's JSON does not match the image description schema; bad fields: ${fields}`, {
      cause: parsed.error,
    })
  }
  return toDescription(parsed.data, model)
}
