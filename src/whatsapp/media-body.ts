import type { Dispatcher } from 'undici'
import { MediaTooLargeError } from '../errors.js'
import { headerOf } from './graph-errors.js'

/**
 * Reads a media body of at most `maxBytes`. A Content-Length over the cap is refused before
 * a byte is read; otherwise the bytes are counted as they arrive and the body is destroyed
 * (closing its connection) as soon as the count passes the cap. So a 200 MB answer costs
 * about `maxBytes` of memory, not 200 MB (issue #8: the whole body used to be buffered
 * before IMAGE_MAX_BYTES was looked at).
 */
export async function readCappedBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<Buffer> {
  const declared = Number(headerOf(response.headers, 'content-length'))
  if (declared > maxBytes) {
    throw new MediaTooLargeError(`media declares ${declared} bytes (Content-Length); expected at most ${maxBytes}`, { bytes: declared, maxBytes })
  }
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of response.body) {
    bytes += (chunk as Buffer).length
    if (bytes > maxBytes) {
      response.body.destroy()
      throw new MediaTooLargeError(`media is more than ${maxBytes} bytes (${bytes} read when it was cut off)`, { bytes, maxBytes })
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks, bytes)
}
