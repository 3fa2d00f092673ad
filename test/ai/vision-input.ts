import type { DescribeImageInput } from '../../src/ai/index.js'

/** A few bytes starting like a JPEG: the fake server never decodes them. */
export const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46])

export function picture(overrides: Partial<DescribeImageInput> = {}): DescribeImageInput {
  return { image: JPEG, mimeType: 'image/jpeg', language: 'pt-BR', signal: AbortSignal.timeout(10_000), ...overrides }
}

/** A model answer as the system prompt asks for it. */
export function answer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'boleto',
    description: 'A bank payment slip from NetVale Fibra due on 10 May.',
    line: null,
    pixCode: null,
    amount: null,
    ...overrides,
  }
}
