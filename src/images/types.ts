/**
 * Symbologies the reader looks for: QR codes (PIX "copia e cola"), ITF (the interleaved
 * 2 of 5 barcode of a boleto, 44 digits) and Code128, which some carriers print and costs
 * nothing to include.
 */
export const CODE_FORMATS = ['QRCode', 'ITF', 'Code128'] as const

/** A format zxing reports; one of {@link CODE_FORMATS} in practice. */
export type CodeFormat = (typeof CODE_FORMATS)[number] | (string & {})

/** One symbol found in an image. */
export interface DecodedCode {
  format: CodeFormat
  /** The symbol's content exactly as encoded (digits of a boleto, the BR Code of a PIX). */
  text: string
}

export interface CodeReaderOptions {
  /**
   * Worker threads decoding at once; more images wait in the pool's queue. They start with
   * the first image, which waits for zxing's wasm to compile (a few hundred ms), so a
   * process serving text only holds none. @defaultValue 1
   */
  threads?: number
  /**
   * Largest image accepted, in bytes. WhatsApp caps images at 5 MB; a little room is left for
   * a document forwarded as an image. @defaultValue 8_388_608 (8 MiB)
   */
  maxImageBytes?: number
  /**
   * Largest image accepted, in pixels (width × height from the PNG/JPEG header, read before
   * decoding). Decoding needs about 5 bytes per pixel inside the worker. @defaultValue 16_777_216 (16 MP)
   */
  maxPixels?: number
  /**
   * Longest one image may take to decode, queue wait excluded; then the worker thread is
   * terminated and replaced. @defaultValue 15_000
   */
  timeoutMs?: number
}

export interface CodeReader {
  /**
   * The largest image `read` accepts, in bytes (`CodeReaderOptions.maxImageBytes`). A
   * download meant for this reader stops at it too, so the cap is set in one place.
   */
  readonly maxImageBytes: number
  /**
   * Every QR / ITF / Code128 symbol found in a PNG or JPEG, `[]` when there is none.
   * Rejects with `ImageTooLargeError` or `ImageUnreadableError` for input it refuses,
   * `ImageReadTimeoutError` past `timeoutMs`, and the signal's reason when aborted.
   */
  read(image: Uint8Array, signal?: AbortSignal): Promise<DecodedCode[]>
  /** Ends the worker threads; idempotent. Reads in flight are rejected. */
  close(): Promise<void>
}
