/**
 * The image-description port: the fallback for a customer picture in which the offline
 * barcode reader found no boleto or PIX code. Separate from `AiProvider` because it is
 * optional (no vision offline) and is called per picture by the image-analysis worker,
 * not per turn.
 */
import type { Language } from './types.js'

/** What a picture mainly shows. */
export const IMAGE_KINDS = ['boleto', 'pix', 'receipt', 'document', 'product', 'other'] as const
export type ImageKind = (typeof IMAGE_KINDS)[number]

export interface DescribeImageInput {
  /** The picture's bytes, as downloaded from WhatsApp. */
  image: Uint8Array
  /** Its MIME type as WhatsApp reports it, e.g. `image/jpeg`; JPEG, PNG, WebP and GIF are accepted. */
  mimeType: string
  /** The customer's caption, if any. Treated as data, never as instructions. */
  caption?: string | undefined
  /** The business's language: what text in the picture and the caption most likely use. */
  language: Language
  signal: AbortSignal
}

/**
 * What the model says it read. UNVERIFIED: a vision model misreads and invents digits, so
 * none of these may be shown to a customer or matched against a charge before a domain
 * parser has checked it (the linha digitável's check digits, the PIX payload's CRC16).
 * Normalised only so that such a parser can take them as they are.
 */
export interface UnverifiedExtraction {
  /** Digits only (separators removed) of a linha digitável, when the model read one. */
  line?: string
  /** A PIX copia-e-cola payload as printed (line breaks removed), when the model read one. */
  pixCode?: string
  /** Amount to pay as `1234.56` (dot before the cents, no currency), when printed. */
  amount?: string
}

export interface ImageDescription {
  /**
   * One short factual paragraph in English plain text, for the assistant's prompt (the
   * prompt is English; the assistant replies in the customer's language anyway). Never sent
   * to the customer. Long digit runs are withheld from it: unverified codes live only in
   * `extracted`.
   */
  text: string
  kind: ImageKind
  /** Absent when the model read none of the fields. */
  extracted?: UnverifiedExtraction
  /** The model that answered, as the server names it (e.g. a dated snapshot). */
  model: string
}

export interface ImageDescriber {
  readonly name: 'openai'
  /**
   * @throws ImageTooLargeError or UnsupportedImageError before any call (not retryable);
   *   AiProviderError when the call or its answer fails (`retryable` says whether to retry).
   */
  describe(input: DescribeImageInput): Promise<ImageDescription>
}
