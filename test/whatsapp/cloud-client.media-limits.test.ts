/**
 * Issue #8, finding 5: a media download is bounded by the caller's byte cap. The cap is
 * checked on Content-Length before the body is read, and counted while it streams, so a
 * huge body is refused after about `maxBytes`, never buffered whole. The fake Graph API
 * writes its generated bodies with backpressure and counts what it handed to the socket.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secret } from '../../src/config/index.js'
import { MediaTooLargeError } from '../../src/errors.js'
import { createCloudClient, type CloudClient } from '../../src/whatsapp/index.js'
import { startFakeGraph, type FakeGraph, type RecordedRequest } from '../helpers/fake-graph.js'

const MiB = 1024 * 1024
/** What loopback socket buffers (sender's and receiver's) and the client's stream may hold beyond what it read. */
const SOCKET_SLACK = 24 * MiB

let fake: FakeGraph
let client: CloudClient

beforeEach(async () => {
  fake = await startFakeGraph()
  client = createCloudClient({ apiBaseUrl: fake.url, token: secret('test-token-placeholder'), timeoutMs: 10_000 })
})

afterEach(async () => {
  await client.close()
  await fake.close()
})

async function refusal(mediaId: string, maxBytes: number): Promise<MediaTooLargeError> {
  const err = await client.downloadMedia(mediaId, { maxBytes }).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(MediaTooLargeError)
  expect(err).toMatchObject({ code: 'ATD_MEDIA_TOO_LARGE', retryable: false, maxBytes })
  return err as MediaTooLargeError
}

async function download(): Promise<RecordedRequest> {
  const request = fake.requests.find((r) => r.kind === 'media-download')!
  await request.settled
  return request
}

describe('cloud client downloadMedia byte cap', () => {
  it('refuses a 200 MB body without Content-Length once the count passes the cap, without reading it all', async () => {
    fake.addMedia('3000000000000021', { size: 200 * MiB, chunked: true, mimeType: 'image/jpeg' })
    const rssBefore = process.memoryUsage().rss

    const err = await refusal('3000000000000021', MiB)

    expect(err.bytes).toBeGreaterThan(MiB)
    expect(err.bytes).toBeLessThanOrEqual(MiB + 64 * 1024)
    const served = await download()
    expect(served.responseBytes).toBeLessThan(MiB + SOCKET_SLACK)
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MiB)
  })

  it('refuses a Content-Length over the cap before reading the body', async () => {
    fake.addMedia('3000000000000022', { size: 200 * MiB, mimeType: 'image/jpeg' })
    const err = await refusal('3000000000000022', MiB)
    // Only the header can have told it the full size.
    expect(err.bytes).toBe(200 * MiB)
    expect((await download()).responseBytes).toBeLessThan(SOCKET_SLACK)
  })

  it('refuses a chunked body one byte over the cap', async () => {
    fake.addMedia('3000000000000023', { size: MiB + 1, chunked: true, mimeType: 'image/png' })
    expect((await refusal('3000000000000023', MiB)).bytes).toBe(MiB + 1)
  })

  it.each([['chunked', true], ['with Content-Length', false]])('accepts a body of exactly the cap, %s', async (_name, chunked) => {
    fake.addMedia('3000000000000024', { size: MiB, chunked, mimeType: 'image/png' })
    const media = await client.downloadMedia('3000000000000024', { maxBytes: MiB })
    expect(media.bytes.length).toBe(MiB)
    expect(media.bytes.every((b) => b === 0xab)).toBe(true)
  })

  it('takes the cap from each call: the same media fits one caller and not another', async () => {
    fake.addMedia('3000000000000025', { bytes: Buffer.alloc(2_000, 1), mimeType: 'application/pdf' })
    await expect(client.downloadMedia('3000000000000025', { maxBytes: 1_999 })).rejects.toBeInstanceOf(MediaTooLargeError)
    await expect(client.downloadMedia('3000000000000025', { maxBytes: 2_000 })).resolves.toMatchObject({ mimeType: 'application/pdf' })
  })
})
